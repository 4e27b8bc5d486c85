import RuleEngine

// Stored values and timers as JSON through the same hand-written mapping as inbox and outbox
// rows, in the layout Swift's synthesised `Codable` used, so rows written before still read.

extension StoredValue {
    /// The value and its expiry as compact JSON.
    var recordJSON: String {
        var record = RecordBuilder()
        record.set("value", value)
        record.set("expiresAt", expiresAt)
        return record.value.storageJSON
    }

    /// Reads what `recordJSON` (or `JSONEncoder`) wrote.
    init(recordJSON text: String) throws {
        let fields = try RecordFields(try JSONParser.parse(text), record: "stored value")
        self.init(fields.fields["value"] ?? .null, expiresAt: fields.optionalDouble("expiresAt"))
    }
}

extension TimerRecord {
    /// The timer as compact JSON.
    var recordJSON: String {
        var record = RecordBuilder()
        record.set("bot", bot)
        record.set("userID", userID)
        record.set("name", name)
        record.set("startedAt", startedAt)
        record.set("dueAt", dueAt)
        record.set("generation", generation)
        return record.value.storageJSON
    }

    /// Reads what `recordJSON` (or `JSONEncoder`) wrote.
    init(recordJSON text: String) throws {
        let fields = try RecordFields(try JSONParser.parse(text), record: "timer")
        self.init(
            bot: try fields.string("bot"), userID: try fields.string("userID"), name: try fields.string("name"),
            startedAt: try fields.double("startedAt"), dueAt: try fields.double("dueAt"),
            generation: try fields.string("generation"))
    }
}
