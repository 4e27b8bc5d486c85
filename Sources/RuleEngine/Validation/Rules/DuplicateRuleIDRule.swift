/// Two rules with the same id, which would make traces and metrics ambiguous.
enum DuplicateRuleIDRule: ValidationRule {
    static func validate(_ document: BotDocument, into diagnostics: inout DiagnosticBag) {
        var seen: [String: SourceLocation] = [:]
        for rule in document.rules {
            if let first = seen[rule.id] {
                diagnostics.report(
                    "duplicate-rule-id", "rule id '\(rule.id)' is already used by the rule on line \(first.line)",
                    at: rule.location)
            } else {
                seen[rule.id] = rule.location
            }
        }
    }
}
