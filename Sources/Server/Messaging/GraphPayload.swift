import RuleEngine
import Runtime

/// Builds Graph API request bodies (`POST /{phone-number-id}/messages`) for outbound messages.
enum GraphPayload {
    /// WhatsApp's limit for one text body.
    static let maxTextLength = 4096

    /// How many requests `bodies(for:)` makes, without building them: the send rate counts this
    /// for every message before it goes.
    static func requestCount(for message: OutboundMessage) -> Int {
        guard case .text(let text) = message.body, text.count > maxTextLength else { return 1 }
        return split(text).count
    }

    /// The bodies to send, in order: long texts become several messages split at line breaks.
    static func bodies(for message: OutboundMessage) -> [Value] {
        let to = "+" + message.to.filter(\.isNumber)
        var base: [String: Value] = [
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": .string(to),
        ]
        if let replyTo = message.replyTo { base["context"] = .object(["message_id": .string(replyTo)]) }
        switch message.body {
        case .text(let text):
            return split(text).enumerated().map { index, part in
                var body = base
                if index > 0 { body["context"] = nil }
                body["type"] = "text"
                body["text"] = .object(["body": .string(part), "preview_url": .bool(part.contains("https://"))])
                return .object(body)
            }
        case .buttons(let text, let buttons, let header, let footer):
            let action: Value = .object([
                "buttons": .array(
                    buttons.map {
                        .object([
                            "type": "reply", "reply": .object(["id": .string($0.id), "title": .string($0.title)]),
                        ])
                    })
            ])
            return [interactive(base, type: "button", text: text, header: header, footer: footer, action: action)]
        case .list(let text, let button, let sections, let header, let footer):
            let action: Value = .object([
                "button": .string(button),
                "sections": .array(
                    sections.map { section in
                        var fields: [String: Value] = [
                            "rows": .array(
                                section.rows.map { row in
                                    var fields: [String: Value] = ["id": .string(row.id), "title": .string(row.title)]
                                    if let description = row.description {
                                        fields["description"] = .string(description)
                                    }
                                    return .object(fields)
                                })
                        ]
                        if let title = section.title { fields["title"] = .string(title) }
                        return .object(fields)
                    }),
            ])
            return [interactive(base, type: "list", text: text, header: header, footer: footer, action: action)]
        case .markRead(let messageID, let typing):
            var body: [String: Value] = [
                "messaging_product": "whatsapp", "status": "read", "message_id": .string(messageID),
            ]
            if typing { body["typing_indicator"] = .object(["type": "text"]) }
            return [.object(body)]
        }
    }

    private static func interactive(
        _ base: [String: Value], type: String, text: String, header: String?, footer: String?, action: Value
    ) -> Value {
        var interactive: [String: Value] = [
            "type": .string(type), "body": .object(["text": .string(text)]), "action": action,
        ]
        if let header { interactive["header"] = .object(["type": "text", "text": .string(header)]) }
        if let footer { interactive["footer"] = .object(["text": .string(footer)]) }
        var body = base
        body["type"] = "interactive"
        body["interactive"] = .object(interactive)
        return .object(body)
    }

    /// Splits text into parts of at most `limit` characters, preferring line breaks, then spaces.
    static func split(_ text: String, limit: Int = maxTextLength) -> [String] {
        var parts: [String] = []
        var rest = Substring(text)
        while rest.count > limit {
            let window = rest.prefix(limit)
            let cut = window.lastIndex(of: "\n") ?? window.lastIndex(of: " ") ?? window.endIndex
            let part = rest[..<cut]
            parts.append(String(part))
            rest = rest[cut...].drop { $0 == "\n" || $0 == " " }
            if part.isEmpty { break }
        }
        if !rest.isEmpty || parts.isEmpty { parts.append(String(rest)) }
        return parts
    }
}
