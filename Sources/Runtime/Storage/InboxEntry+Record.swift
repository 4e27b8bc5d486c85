import RuleEngine

// Inbox rows are written on every accepted webhook and read on recovery: a hand-written
// mapping to and from `Value` costs a fraction of `JSONEncoder`, in the same layout.

extension InboxEntry {
    /// The entry as compact JSON for an inbox row.
    public var recordJSON: String {
        recordValue.storageJSON
    }

    var recordValue: Value {
        Value.object(["bot": .string(bot), "event": event.recordValue])
    }

    /// Reads an inbox row written by `recordJSON` or by `JSONEncoder`.
    public init(recordJSON text: String) throws {
        let fields = try RecordFields(try JSONParser.parse(text), record: "inbox entry")
        self.init(bot: try fields.string("bot"), event: try InboundEvent(record: try fields.object("event")))
    }
}

extension InboundEvent {
    var recordValue: Value {
        var record = RecordBuilder()
        record.set("id", id)
        record.set("userID", userID)
        record.set("contactName", contactName)
        record.set("phoneNumberID", phoneNumberID)
        let kind: Value =
            switch self.kind {
            case .message(let message): RecordBuilder.enumCase("message", .object(["_0": message.recordValue]))
            case .timer(let firing): RecordBuilder.enumCase("timer", .object(["_0": firing.recordValue]))
            case .status(let status): RecordBuilder.enumCase("status", .object(["_0": status.recordValue]))
            case .sendFailed(let failure):
                RecordBuilder.enumCase("sendFailed", .object(["_0": (try? ValueEncoder.encode(failure)) ?? .null]))
            case .workResult(let result):
                RecordBuilder.enumCase("workResult", .object(["_0": (try? ValueEncoder.encode(result)) ?? .null]))
            case .business(let event):
                RecordBuilder.enumCase("business", .object(["_0": (try? ValueEncoder.encode(event)) ?? .null]))
            }
        record.set("kind", kind)
        return record.value
    }

    /// The rarer kinds are kept in `Codable`'s own layout.
    private static func decode<T: Decodable>(_ type: T.Type, _ payload: RecordFields) throws -> T {
        do {
            return try ValueDecoder.decode(type, from: payload.fields["_0"] ?? .null)
        } catch {
            throw RuntimeError.storage("stored \(T.self) event is unreadable: \(error)")
        }
    }

    init(record fields: RecordFields) throws {
        let (name, payload) = try fields.object("kind").enumCase()
        let kind: Kind
        switch name {
        case "message": kind = .message(try InboundMessage(record: try payload.object("_0")))
        case "timer": kind = .timer(try TimerFiring(record: try payload.object("_0")))
        case "status": kind = .status(try DeliveryStatus(record: try payload.object("_0")))
        case "sendFailed": kind = .sendFailed(try Self.decode(SendFailure.self, payload))
        case "workResult": kind = .workResult(try Self.decode(WorkResult.self, payload))
        case "business": kind = .business(try Self.decode(BusinessEvent.self, payload))
        default: throw RuntimeError.storage("stored event has an unknown kind '\(name)'")
        }
        self.init(
            id: try fields.string("id"), userID: try fields.string("userID"),
            contactName: fields.optionalString("contactName"), phoneNumberID: fields.optionalString("phoneNumberID"),
            kind: kind)
    }
}

extension InboundMessage {
    var recordValue: Value {
        var record = RecordBuilder()
        record.set("id", id)
        record.set("type", type)
        record.set("timestamp", timestamp)
        record.set("text", text)
        record.set("caption", caption)
        record.set("filename", filename)
        record.set("mimeType", mimeType)
        record.set("mediaID", mediaID)
        record.set("buttonID", buttonID)
        record.set("buttonTitle", buttonTitle)
        record.set("latitude", latitude)
        record.set("longitude", longitude)
        record.set("emoji", emoji)
        record.set("reactedTo", reactedTo)
        record.set("replyTo", replyTo)
        record.set("forwarded", .bool(forwarded))
        // A raw JSON null is the same as no raw value once decoded, as with `JSONDecoder`.
        record.set("raw", raw)
        return record.value
    }

    init(record fields: RecordFields) throws {
        let raw = fields.fields["raw"].flatMap { $0 == .null ? nil : $0 }
        self.init(
            id: try fields.string("id"), type: try fields.string("type"), timestamp: try fields.double("timestamp"),
            text: fields.optionalString("text"), caption: fields.optionalString("caption"),
            filename: fields.optionalString("filename"), mimeType: fields.optionalString("mimeType"),
            mediaID: fields.optionalString("mediaID"), buttonID: fields.optionalString("buttonID"),
            buttonTitle: fields.optionalString("buttonTitle"), latitude: fields.optionalDouble("latitude"),
            longitude: fields.optionalDouble("longitude"), emoji: fields.optionalString("emoji"),
            reactedTo: fields.optionalString("reactedTo"), replyTo: fields.optionalString("replyTo"),
            forwarded: try fields.bool("forwarded"), raw: raw)
    }
}

extension TimerFiring {
    var recordValue: Value {
        .object([
            "name": .string(name), "startedAt": .double(startedAt.isFinite ? startedAt : 0),
            "dueAt": .double(dueAt.isFinite ? dueAt : 0),
            "generation": .string(generation),
        ])
    }

    init(record fields: RecordFields) throws {
        self.init(
            name: try fields.string("name"), startedAt: try fields.double("startedAt"),
            dueAt: try fields.double("dueAt"), generation: try fields.string("generation"))
    }
}

extension DeliveryStatus {
    var recordValue: Value {
        var record = RecordBuilder()
        record.set("messageID", messageID)
        record.set("status", status)
        record.set("timestamp", timestamp.isFinite ? timestamp : 0)
        record.set("errorCodes", .array(errorCodes.map(Value.int)))
        record.set("errorTitle", errorTitle)
        record.set("callback", callback)
        return record.value
    }

    init(record fields: RecordFields) throws {
        let codes = try fields.array("errorCodes").map { code -> Int in
            guard case .int(let number) = code else {
                throw RuntimeError.storage("stored status has a non-integer error code")
            }
            return number
        }
        self.init(
            messageID: try fields.string("messageID"), status: try fields.string("status"),
            timestamp: try fields.double("timestamp"), errorCodes: codes,
            errorTitle: fields.optionalString("errorTitle"),
            callback: fields.optionalString("callback"))
    }
}
