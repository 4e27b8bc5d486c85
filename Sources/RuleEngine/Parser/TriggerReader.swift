/// Reads a rule's `when:` into a `Trigger`.
enum TriggerReader {
    static func read(_ node: SyntaxNode) -> Trigger? {
        if let word = node.scalar {
            if word.hasPrefix("/") { return .commands([word], caseSensitive: false) }
            switch word {
            case "message": return .anyMessage
            case "command": return .commands([], caseSensitive: false)
            case "status": return .status([])
            case "send_failed": return .sendFailed
            case "resumed": return .event("resumed")
            default: return BotShape.messageTypes.contains(word) ? .messageTypes([word]) : nil
            }
        }
        let caseSensitive = node["case_sensitive"]?.scalar?.lowercased() == "true"
        func words(_ key: String) -> [String]? {
            guard let value = node[key] else { return nil }
            return (value.items ?? [value]).compactMap(\.scalar)
        }
        if let commands = words("command") {
            return .commands(commands, caseSensitive: caseSensitive)
        }
        if let types = words("type") { return .messageTypes(types) }
        if let text = node["text"]?.scalar { return .textEquals(text.trimmed, caseSensitive: caseSensitive) }
        if let text = node["text_contains"]?.scalar { return .textContains(text, caseSensitive: caseSensitive) }
        if let pattern = node["text_matches"]?.scalar { return .textMatches(pattern) }
        if let id = node["button"]?.scalar { return .button(id) }
        if let name = node["timer"]?.scalar { return .timer(name) }
        if let statuses = words("status") { return .status(statuses) }
        if let name = node["response"]?.scalar { return .response(name) }
        if let name = node["call_failed"]?.scalar { return .callFailed(name) }
        if let name = node["event"]?.scalar { return .event(name) }
        return nil
    }
}
