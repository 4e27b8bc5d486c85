/// States, timers, texts, WhatsApp templates, APIs and call results that are used but never declared.
enum UndefinedNameRule: ValidationRule {
    static func validate(_ document: BotDocument, into diagnostics: inout DiagnosticBag) {
        let declared: [ShapeChecker.NamedReference.Kind: [String]] = [
            .state: document.states.isEmpty ? [document.initialState] : document.states.map(\.name),
            .timer: document.timers.map(\.name),
            .template: document.templates.map(\.name),
            .whatsAppTemplate: document.whatsAppTemplates.map(\.name),
            .api: document.apis.map(\.name),
            .result: document.results,
        ]
        let lookup = declared.mapValues(Set.init)
        for reference in document.names {
            guard lookup[reference.kind]?.contains(reference.name) != true else { continue }
            let names = declared[reference.kind] ?? []
            let (id, message) =
                switch reference.kind {
                case .state: ("undefined-state", "state '\(reference.name)' is not declared under states:")
                case .timer: ("undefined-timer", "timer '\(reference.name)' is not declared under timers:")
                case .template: ("undefined-template", "text '\(reference.name)' is not declared under texts:")
                case .whatsAppTemplate:
                    (
                        "undefined-whatsapp-template",
                        "WhatsApp template '\(reference.name)' is not declared under whatsapp_templates:"
                    )
                case .api: ("undefined-api", "API '\(reference.name)' is not declared under apis:")
                case .result:
                    ("undefined-result", "no call names its result '\(reference.name)' (with as: \(reference.name))")
                }
            diagnostics.report(
                id, message,
                at: reference.location, suggestion: Suggestion.closest(to: reference.name, in: names))
        }
    }
}
