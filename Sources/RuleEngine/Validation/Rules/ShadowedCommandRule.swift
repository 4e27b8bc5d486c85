/// A command handled by two rules in the same state where the first always wins.
enum ShadowedCommandRule: ValidationRule {
    static func validate(_ document: BotDocument, into diagnostics: inout DiagnosticBag) {
        var winners: [String: [BotDocument.RuleDecl]] = [:]
        for rule in document.rules {
            guard case .commands(let commands, _)? = rule.trigger else { continue }
            for command in Set(commands.map { $0.lowercased() }) {
                if let earlier = winners[command, default: []].first(where: { overlaps($0, rule) }) {
                    diagnostics.report(
                        "shadowed-rule",
                        "rule '\(rule.id)' never runs for \(command)\(stateText(rule, earlier)): rule '\(earlier.id)' on line \(earlier.location.line) handles it first",
                        at: rule.triggerLocation, severity: .warning,
                        notes: [
                            "give the earlier rule an 'if:' or 'continue: true', or limit the rules to different states with 'in:'"
                        ])
                }
                if rule.condition == nil, !rule.continues {
                    winners[command, default: []].append(rule)
                }
            }
        }
    }

    private static func names(_ rule: BotDocument.RuleDecl) -> Set<String> {
        Set(rule.states.map(\.name))
    }

    private static func overlaps(_ earlier: BotDocument.RuleDecl, _ later: BotDocument.RuleDecl) -> Bool {
        earlier.states.isEmpty || (!later.states.isEmpty && names(later).isSubset(of: names(earlier)))
    }

    private static func stateText(_ rule: BotDocument.RuleDecl, _ earlier: BotDocument.RuleDecl) -> String {
        let states = rule.states.isEmpty ? names(earlier) : names(rule)
        return states.isEmpty ? "" : " in state \(states.sorted().map { "'\($0)'" }.joined(separator: ", "))"
    }
}
