import RuleEngine

// Outbox rows are written for every reply: the same hand-written mapping as inbox rows.

extension OutboundMessage {
    /// The message as compact JSON for an outbox row.
    public var recordJSON: String { recordValue.storageJSON }

    var recordValue: Value {
        var record = RecordBuilder()
        record.set("id", id)
        record.set("bot", bot)
        record.set("to", to)
        record.set("phoneNumberID", phoneNumberID)
        record.set("replyTo", replyTo)
        record.set("body", body.recordValue)
        record.set("createdAt", createdAt)
        record.set("rule", rule)
        if let previewURL { record.set("previewURL", .bool(previewURL)) }
        return record.value
    }

    /// Reads an outbox row written by `recordJSON` or by `JSONEncoder`.
    public init(recordJSON text: String) throws {
        let fields = try RecordFields(try JSONParser.parse(text), record: "outbox message")
        self.init(
            id: try fields.string("id"), bot: try fields.string("bot"), to: try fields.string("to"),
            phoneNumberID: fields.optionalString("phoneNumberID"), replyTo: fields.optionalString("replyTo"),
            body: try Body(record: try fields.object("body")), createdAt: try fields.double("createdAt"),
            rule: fields.optionalString("rule"), previewURL: fields.optionalBool("previewURL"))
    }
}

extension OutboundMessage.Body {
    var recordValue: Value {
        var record = RecordBuilder()
        let name: String
        switch self {
        case .text(let text):
            name = "text"
            record.set("_0", text)
        case .buttons(let text, let buttons, let header, let footer):
            name = "buttons"
            record.set("text", text)
            record.set("buttons", .array(buttons.map { .object(["id": .string($0.id), "title": .string($0.title)]) }))
            record.set("header", header)
            record.set("footer", footer)
        case .list(let text, let button, let sections, let header, let footer):
            name = "list"
            record.set("text", text)
            record.set("button", button)
            record.set("sections", .array(sections.map(\.recordValue)))
            record.set("header", header)
            record.set("footer", footer)
        case .markRead(let messageID, let typing):
            name = "markRead"
            record.set("messageID", messageID)
            record.set("typing", .bool(typing))
        default:
            // The rarer kinds are written in `Codable`'s own layout, which the reader below decodes.
            return (try? ValueEncoder.encode(self)) ?? .null
        }
        return RecordBuilder.enumCase(name, record.value)
    }

    init(record fields: RecordFields) throws {
        let (name, payload) = try fields.enumCase()
        switch name {
        case "text":
            self = .text(try payload.string("_0"))
        case "buttons":
            let buttons = try payload.array("buttons").map {
                let button = try RecordFields($0, record: "button")
                return OutboundMessage.Button(id: try button.string("id"), title: try button.string("title"))
            }
            self = .buttons(
                text: try payload.string("text"), buttons: buttons, header: payload.optionalString("header"),
                footer: payload.optionalString("footer"))
        case "list":
            let sections = try payload.array("sections").map {
                try OutboundMessage.ListSection(record: try RecordFields($0, record: "list section"))
            }
            self = .list(
                text: try payload.string("text"), button: try payload.string("button"), sections: sections,
                header: payload.optionalString("header"), footer: payload.optionalString("footer"))
        case "markRead":
            self = .markRead(messageID: try payload.string("messageID"), typing: try payload.bool("typing"))
        case "media", "mediaButtons", "location", "contacts", "reaction", "ctaURL", "locationRequest", "template",
            "work":
            do {
                self = try ValueDecoder.decode(Self.self, from: .object([name: .object(payload.fields)]))
            } catch {
                throw RuntimeError.storage("stored outbox message has an unreadable '\(name)' body: \(error)")
            }
        default:
            throw RuntimeError.storage("stored outbox message has an unknown body '\(name)'")
        }
    }
}

extension OutboundMessage.ListSection {
    var recordValue: Value {
        var record = RecordBuilder()
        record.set("title", title)
        record.set(
            "rows",
            .array(
                rows.map { row in
                    var fields = RecordBuilder()
                    fields.set("id", row.id)
                    fields.set("title", row.title)
                    fields.set("description", row.description)
                    return fields.value
                }))
        return record.value
    }

    init(record fields: RecordFields) throws {
        let rows = try fields.array("rows").map {
            let row = try RecordFields($0, record: "list row")
            return OutboundMessage.ListRow(
                id: try row.string("id"), title: try row.string("title"),
                description: row.optionalString("description"))
        }
        self.init(title: fields.optionalString("title"), rows: rows)
    }
}
