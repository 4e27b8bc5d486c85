/// Variables in expressions and templates that nothing provides: an unknown root, an unknown
/// message field, or a stored key that no action ever writes.
enum UndefinedVariableRule: ValidationRule {
    static let roots = Dictionary(uniqueKeysWithValues: VariableRoot.allCases.map { ($0.rawValue, $0.fields) })

    static func validate(_ document: BotDocument, into diagnostics: inout DiagnosticBag) {
        var written: [String: Set<String>] = ["state": StateFields.builtIn]
        for key in document.storageKeys where key.isWrite {
            written[key.path[0], default: []].insert(key.path[1])
        }
        // Keys an action declares it writes whatever its arguments (a custom action's result).
        for action in document.rules.flatMap(\.actions) {
            for key in document.catalog.specs[action.name]?.writtenKeys ?? [] {
                let path = key.split(separator: ".").map(String.init)
                if path.count >= 2 { written[path[0], default: []].insert(path[1]) }
            }
        }
        written["vars"] = Set(document.vars.keys)
        for reference in document.variables {
            let root = reference.path[0]
            guard let known = roots[root] else {
                diagnostics.report(
                    "undefined-variable", "unknown variable '\(root)'", at: reference.location,
                    suggestion: Suggestion.closest(to: root, in: roots.keys))
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
