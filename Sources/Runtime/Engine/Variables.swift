import RuleEngine

/// The names expressions read, answered from an `ActionContext`.
struct Variables: VariableSource {
    let context: ActionContext

    func value(ofRoot name: String) -> Value {
        guard let root = VariableRoot(rawValue: name) else { return .null }
        switch root {
        case .now: return .double(context.now)
        case .message: return messageValue
        case .contact:
            return .object([
                "name": context.event.contactName.map(Value.string) ?? .null, "phone": .string(context.event.userID),
            ])
        case .user: return scopeObject(.user)
        case .table: return scopeObject(.table)
        case .state:
            guard case .object(var fields) = scopeObject(.state) else { return .null }
            fields["name"] = .string(context.stateName)
            fields["entered_at"] = context.read(.machine)["entered_at"]
            return .object(fields)
        case .timer:
            guard case .timer(let firing) = context.event.kind else { return .null }
            return .object([
                "name": .string(firing.name), "started_at": .double(firing.startedAt), "due_at": .double(firing.dueAt),
            ])
        case .bot:
            return .object([
                "name": .string(context.bot.name), "storage": context.stats["backend"],
                "timezone": .string(context.bot.graph.timeZone),
            ])
        case .stats: return context.stats
        case .vars: return .object(context.bot.graph.vars)
        case .window:
            return .object([
                "open": .bool(context.windowIsOpen),
                "closes_at": context.lastMessageAt.map { .double(ServiceWindow.closes(after: $0)) } ?? .null,
                "last_message_at": context.lastMessageAt.map(Value.double) ?? .null,
            ])
        case .status: return statusValue
        case .response:
            guard case .workResult(let result) = context.event.kind else { return .null }
            return .object([
                "name": .string(result.name), "ok": .bool(result.ok), "status": result.status.map(Value.int) ?? .null,
                "json": result.json, "headers": .object(result.headers.mapValues(Value.string)),
                "reason": result.reason.map(Value.string) ?? .null, "attempts": .int(result.attempts),
            ])
        case .event:
            guard case .business(let event) = context.event.kind else { return .null }
            return .object(["name": .string(event.name), "data": event.data, "id": .string(event.id)])
        }
    }

    func value(ofRoot name: String, member: String) -> Value {
        switch name {
        case "user": return context.read(StorageKey(.user, member))
        case "table": return context.read(StorageKey(.table, member))
        case "state":
            if member == "name" { return .string(context.stateName) }
            if member == "entered_at" { return context.read(.machine)["entered_at"] }
            return context.read(StorageKey(.state, member))
        case "vars": return context.bot.graph.vars[member] ?? .null
        case "message": return MessageField(rawValue: member).map(messageField) ?? .null
        default: return value(ofRoot: name)[member]
        }
    }

    private func scopeObject(_ scope: Scope) -> Value {
        var fields: [String: Value] = [:]
        for (key, stored) in context.snapshot.values where key.scope == scope && !key.key.hasPrefix("@") {
            fields[key.key] = stored.value
        }
        return .object(fields)
    }

    private var messageValue: Value {
        var fields: [String: Value] = [:]
        for field in MessageField.allCases { fields[field.rawValue] = messageField(field) }
        return .object(fields)
    }

    private func messageField(_ field: MessageField) -> Value {
        if case .status(let status) = context.event.kind {
            switch field {
            case .id: return .string(status.messageID)
            case .status: return .string(status.status)
            case .timestamp: return .double(status.timestamp)
            case .type: return "status"
            default: return .null
            }
        }
        guard case .message(let m) = context.event.kind else { return .null }
        func text(_ s: String?) -> Value { s.map(Value.string) ?? .null }
        func number(_ d: Double?) -> Value { d.map(Value.double) ?? .null }
        switch field {
        case .id: return .string(m.id)
        case .type: return .string(m.type)
        case .text: return text(m.text)
        // Lowercase, as command triggers match any case: `message.command == "/bot"` holds for /BOT.
        case .command: return text(m.command?.lowercased())
        case .arguments:
            guard let command = m.command, let body = m.text else { return .null }
            return .string(String(body.dropFirst(command.count)).trimmingPrefixSpaces())
        case .caption: return text(m.caption)
        case .filename: return text(m.filename)
        case .mimeType: return text(m.mimeType)
        case .mediaID: return text(m.mediaID)
        case .button: return text(m.buttonID)
        case .latitude: return number(m.latitude)
        case .longitude: return number(m.longitude)
        case .emoji: return text(m.emoji)
        case .reactedTo: return text(m.reactedTo)
        case .timestamp: return .double(m.timestamp)
        case .replyTo: return text(m.replyTo)
        case .forwarded: return .bool(m.forwarded)
        case .raw: return m.raw ?? .null
        case .status: return .null
        case .buttonTitle: return text(m.buttonTitle)
        case .location: return InboundDetails.location(m)
        case .contacts: return InboundDetails.contacts(m)
        case .order: return InboundDetails.order(m)
        case .referral: return InboundDetails.referral(m)
        case .flow: return InboundDetails.flow(m)
        case .frequentlyForwarded: return .bool(m.raw?["context"]["frequently_forwarded"] == .bool(true))
        }
    }

    /// `status`: a delivery status or a failed send, and the reply it is about.
    private var statusValue: Value {
        switch context.event.kind {
        case .status(let status):
            let callback = status.callback.flatMap(SendCallback.init(text:))
            return .object([
                "name": .string(status.status), "id": .string(status.messageID), "timestamp": .double(status.timestamp),
                "rule": callback?.rule.map(Value.string) ?? .null,
                "outbox_id": callback.map { .string($0.outboxID) } ?? .null,
                "error": status.errorCodes.first.map { code in
                    .object(["code": .int(code), "title": status.errorTitle.map(Value.string) ?? .null])
                } ?? .null,
                "recipient": .string(context.event.userID),
            ])
        case .sendFailed(let failure):
            return .object([
                "name": "failed", "id": .null, "timestamp": .double(failure.timestamp),
                "rule": failure.rule.map(Value.string) ?? .null, "outbox_id": .string(failure.outboxID),
                "error": .object(["code": failure.code.map(Value.int) ?? .null, "title": .string(failure.reason)]),
                "recipient": .string(context.event.userID),
            ])
        default: return .null
        }
    }
}

extension String {
    fileprivate func trimmingPrefixSpaces() -> String {
        String(drop { $0.isWhitespace })
    }
}
