/// An API's base URL is http or https with a host (or starts with a `${VARIABLE}` read when
/// calling), and every call's result is handled by some rule, or the answer would go unseen.
enum APIDeclarationRule: ValidationRule {
    static func validate(_ document: BotDocument, into diagnostics: inout DiagnosticBag) {
        for declaration in document.apis {
            let url = declaration.api.baseURL
            if url.hasPrefix("${") { continue }
            let lower = url.lowercased()
            let rest =
                lower.hasPrefix("https://") ? url.dropFirst(8) : lower.hasPrefix("http://") ? url.dropFirst(7) : nil
            if rest.map({ $0.isEmpty || $0.hasPrefix("/") }) ?? true {
                diagnostics.report(
                    "invalid-api-url",
                    "the base_url of API '\(declaration.name)' must be an http:// or https:// URL with a host",
                    at: declaration.location,
                    notes: [
                        "such as https://helpdesk.example.org/api, or ${HELPDESK_URL} to read it from the environment"
                    ])
            }
        }
        var handled = Set<String>()
        for rule in document.rules {
            switch rule.trigger {
            case .response(let name)?, .callFailed(let name)?: handled.insert(name)
            default: break
            }
        }
        for rule in document.rules {
            for action in rule.actions {
                for result in document.catalog.specs[action.name]?.returnedResults(action.arguments) ?? []
                where !handled.contains(result) {
                    diagnostics.report(
                        "unhandled-result",
                        "no rule handles the result '\(result)': add a rule with when: { response: \(result) }",
                        at: action.location, severity: .warning,
                        notes: ["and one with when: { call_failed: \(result) }, so the user hears when it fails"])
                }
            }
        }
    }
}
