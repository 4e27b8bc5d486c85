/// A command handled by two rules in the same state where the first always wins.
enum ShadowedCommandRule: ValidationRule {
    /// The rules that always win a command so far, indexed so a bot with thousands of rules on
    /// one command in different states is not checked pair by pair.
    private struct Winners {
        /// The first winner without `in:`, which shadows every later rule.
        var anyState: (order: Int, rule: BotDocument.RuleDecl)?
        /// Winners limited to states, under each of their states, in file order.
        var byState: [String: [(order: Int, rule: BotDocument.RuleDecl, states: Set<String>)]] = [:]

        /// The earliest winner that handles every state `rule` can run in.
        func shadowing(_ rule: BotDocument.RuleDecl, states: Set<String>) -> BotDocument.RuleDecl? {
            var best = anyState
            if let first = rule.states.first?.name {
                let covering = byState[first]?.first { $0.states.isSuperset(of: states) }
                if let covering, covering.order < best?.order ?? .max { best = (covering.order, covering.rule) }
            }
            return best?.rule
        }

        mutating func add(_ rule: BotDocument.RuleDecl, order: Int, states: Set<String>) {
            if states.isEmpty {
                if anyState == nil { anyState = (order, rule) }
                return
            }
            for state in states { byState[state, default: []].append((order, rule, states)) }
        }
    }

    static func validate(_ document: BotDocument, into diagnostics: inout DiagnosticBag) {
        var winners: [String: Winners] = [:]
        for (order, rule) in document.rules.enumerated() {
            guard case .commands(let commands, _)? = rule.trigger else { continue }
            let states = Set(rule.states.map(\.name))
            for command in Set(commands.map { $0.lowercased() }) {
                if let earlier = winners[command]?.shadowing(rule, states: states) {
                    diagnostics.report(
                        "shadowed-rule",
                        "rule '\(rule.id)' never runs for \(command)\(stateText(rule, earlier)): rule '\(earlier.id)' on line \(earlier.location.line) handles it first",
                        at: rule.triggerLocation, severity: .warning,
                        notes: [
                            "give the earlier rule an 'if:' or 'continue: true', or limit the rules to different states with 'in:'"
                        ])
                }
                if rule.condition == nil, !rule.continues {
                    winners[command, default: Winners()].add(rule, order: order, states: states)
                }
            }
        }
    }

    private static func names(_ rule: BotDocument.RuleDecl) -> Set<String> {
        Set(rule.states.map(\.name))
    }

    private static func stateText(_ rule: BotDocument.RuleDecl, _ earlier: BotDocument.RuleDecl) -> String {
        let states = rule.states.isEmpty ? names(earlier) : names(rule)
        return states.isEmpty ? "" : " in state \(states.sorted().map { "'\($0)'" }.joined(separator: ", "))"
    }
}
