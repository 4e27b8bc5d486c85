/// States, timers and templates that are used but never declared.
enum UndefinedNameRule: ValidationRule {
    static func validate(_ document: BotDocument, into diagnostics: inout DiagnosticBag) {
        let declared: [ShapeChecker.NamedReference.Kind: [String]] = [
            .state: document.states.isEmpty ? [document.initialState] : document.states.map(\.name),
            .timer: document.timers.map(\.name),
            .template: document.templates.map(\.name),
        ]
        let lookup = declared.mapValues(Set.init)
        for reference in document.names {
            guard lookup[reference.kind]?.contains(reference.name) != true else { continue }
            let names = declared[reference.kind] ?? []
            let section = "\(reference.kind.rawValue)s"
            diagnostics.report(
                "undefined-\(reference.kind.rawValue)",
                "\(reference.kind.rawValue) '\(reference.name)' is not declared under \(section):",
                at: reference.location, suggestion: Suggestion.closest(to: reference.name, in: names))
        }
    }
}
