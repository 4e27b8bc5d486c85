/// States, timers and templates that are used but never declared.
enum UndefinedNameRule: ValidationRule {
    static func validate(_ document: BotDocument, into diagnostics: inout DiagnosticBag) {
        let declared: [ShapeChecker.NamedReference.Kind: [String]] = [
            .state: document.states.isEmpty ? [document.initialState] : document.states.map(\.name),
            .timer: document.timers.map(\.name),
            .template: document.templates.map(\.name),
            .whatsAppTemplate: document.whatsAppTemplates.map(\.name),
        ]
        let lookup = declared.mapValues(Set.init)
        for reference in document.names {
            guard lookup[reference.kind]?.contains(reference.name) != true else { continue }
            let names = declared[reference.kind] ?? []
            let (id, what, section) =
                switch reference.kind {
                case .state: ("undefined-state", "state", "states")
                case .timer: ("undefined-timer", "timer", "timers")
                case .template: ("undefined-template", "text", "texts")
                case .whatsAppTemplate: ("undefined-whatsapp-template", "WhatsApp template", "whatsapp_templates")
                }
            diagnostics.report(
                id, "\(what) '\(reference.name)' is not declared under \(section):",
                at: reference.location, suggestion: Suggestion.closest(to: reference.name, in: names))
        }
    }
}
