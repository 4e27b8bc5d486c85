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
        // Only messages a rule sent: its statuses come back tied to that rule and outbox row.
        if message.rule != nil, let callback = SendCallback(message: message).text {
            base["biz_opaque_callback_data"] = .string(callback)
        }
        func typed(_ type: String, _ content: Value) -> Value {
            var body = base
            body["type"] = .string(type)
            body[type] = content
            return .object(body)
        }
        switch message.body {
        case .text(let text):
            return split(text).enumerated().map { index, part in
                var body = base
                if index > 0 { body["context"] = nil }
                body["type"] = "text"
                let preview = message.previewURL ?? part.contains("https://")
                body["text"] = .object(["body": .string(part), "preview_url": .bool(preview)])
                return .object(body)
            }
        case .buttons(let text, let buttons, let header, let footer):
            let header = header.map { Value.object(["type": "text", "text": .string($0)]) }
            return [
                typed(
                    "interactive", interactive("button", text, header: header, footer: footer, action: action(buttons)))
            ]
        case .mediaButtons(let text, let buttons, let media, let footer):
            let header = Value.object(["type": .string(media.kind.rawValue), media.kind.rawValue: object(media)])
            return [
                typed(
                    "interactive", interactive("button", text, header: header, footer: footer, action: action(buttons)))
            ]
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
            let header = header.map { Value.object(["type": "text", "text": .string($0)]) }
            return [typed("interactive", interactive("list", text, header: header, footer: footer, action: action))]
        case .ctaURL(let text, let button, let url, let header, let footer):
            let action: Value = .object([
                "name": "cta_url",
                "parameters": .object(["display_text": .string(button), "url": .string(url)]),
            ])
            let header = header.map { Value.object(["type": "text", "text": .string($0)]) }
            return [typed("interactive", interactive("cta_url", text, header: header, footer: footer, action: action))]
        case .locationRequest(let text):
            let action: Value = .object(["name": "send_location"])
            return [
                typed(
                    "interactive",
                    interactive("location_request_message", text, header: nil, footer: nil, action: action))
            ]
        case .media(let media, let caption):
            var content = object(media)
            if let caption, media.kind.takesCaption, case .object(var fields) = content {
                fields["caption"] = .string(caption)
                content = .object(fields)
            }
            return [typed(media.kind.rawValue, content)]
        case .location(let place):
            var fields: [String: Value] = ["latitude": .double(place.latitude), "longitude": .double(place.longitude)]
            if let name = place.name { fields["name"] = .string(name) }
            if let address = place.address { fields["address"] = .string(address) }
            return [typed("location", .object(fields))]
        case .contacts(let cards):
            return [typed("contacts", .array(cards.map(contact)))]
        case .reaction(let messageID, let emoji):
            var body = base
            body["context"] = nil
            body["type"] = "reaction"
            body["reaction"] = .object(["message_id": .string(messageID), "emoji": .string(emoji)])
            return [.object(body)]
        case .template(let template):
            return [typed("template", TemplatePayload.value(template, media: object))]
        case .work:
            // Handed-off work is carried out by the work runner, never sent to WhatsApp.
            return []
        case .markRead(let messageID, let typing):
            var body: [String: Value] = [
                "messaging_product": "whatsapp", "status": "read", "message_id": .string(messageID),
            ]
            if typing { body["typing_indicator"] = .object(["type": "text"]) }
            return [.object(body)]
        }
    }

    /// `{"link": …}` or `{"id": …}`, with a document's file name.
    static func object(_ media: Media) -> Value {
        var fields: [String: Value] = [:]
        if let link = media.link { fields["link"] = .string(link) }
        if let id = media.id { fields["id"] = .string(id) }
        if let filename = media.filename, media.kind == .document { fields["filename"] = .string(filename) }
        return .object(fields)
    }

    private static func contact(_ card: Contact) -> Value {
        let first = card.name.split(separator: " ").first.map(String.init) ?? card.name
        var fields: [String: Value] = [
            "name": .object(["formatted_name": .string(card.name), "first_name": .string(first)])
        ]
        if !card.phones.isEmpty {
            fields["phones"] = .array(card.phones.map { .object(["phone": .string($0), "type": "CELL"]) })
        }
        if !card.emails.isEmpty {
            fields["emails"] = .array(card.emails.map { .object(["email": .string($0), "type": "WORK"]) })
        }
        return .object(fields)
    }

    private static func action(_ buttons: [OutboundMessage.Button]) -> Value {
        .object([
            "buttons": .array(
                buttons.map {
                    .object(["type": "reply", "reply": .object(["id": .string($0.id), "title": .string($0.title)])])
                })
        ])
    }

    private static func interactive(_ type: String, _ text: String, header: Value?, footer: String?, action: Value)
        -> Value
    {
        var interactive: [String: Value] = [
            "type": .string(type), "body": .object(["text": .string(text)]), "action": action,
        ]
        if let header { interactive["header"] = header }
        if let footer { interactive["footer"] = .object(["text": .string(footer)]) }
        return .object(interactive)
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
