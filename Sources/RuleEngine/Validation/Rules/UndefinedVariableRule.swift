/// Variables in expressions and templates that nothing provides: an unknown root, an unknown
/// message field, or a stored key that no action ever writes.
enum UndefinedVariableRule: ValidationRule {
    /// Fields every event's `message` has (empty or null when they do not apply).
    static let messageFields = [
        "id", "type", "text", "command", "arguments", "caption", "filename", "mime_type", "media_id", "button",
        "latitude", "longitude", "emoji", "reacted_to", "timestamp", "reply_to", "forwarded", "raw", "status",
    ]

    static let fixedRoots: [String: [String]?] = [
        "message": messageFields,
        "contact": ["name", "phone"],
        "timer": ["name", "started_at", "due_at"],
        "bot": ["name", "storage", "timezone"],
        "stats": ["backend", "connected", "operations", "hits", "misses", "errors", "hit_ratio", "checked_at"],
        "now": [],
        "user": nil, "table": nil, "state": nil, "vars": nil,
    ]

    static func validate(_ document: BotDocument, into diagnostics: inout DiagnosticBag) {
        var written: [String: Set<String>] = ["state": StateFields.builtIn]
        for key in document.storageKeys where key.isWrite {
            written[key.path[0], default: []].insert(key.path[1])
        }
        written["vars"] = Set(document.vars.keys)
        for reference in document.variables {
            let root = reference.path[0]
            guard let known = fixedRoots[root] else {
                diagnostics.report(
                    "undefined-variable", "unknown variable '\(root)'", at: reference.location,
                    suggestion: Suggestion.closest(to: root, in: fixedRoots.keys))
                continue
            }
            guard reference.path.count >= 2 else { continue }
            let field = reference.path[1]
            let fields = known.map(Set.init) ?? written[root] ?? []
            if !fields.contains(field) {
                let why =
                    known == nil ? "nothing in this bot stores '\(root).\(field)'" : "'\(root)' has no field '\(field)'"
                diagnostics.report(
                    "undefined-variable", why, at: reference.location,
                    suggestion: Suggestion.closest(to: field, in: fields).map { "\(root).\($0)" })
            }
        }
    }
}
