/// Non-initial states with no time-to-live that no rule ever leaves: users would be stuck there.
enum StateNeverLeftRule: ValidationRule {
    static func validate(_ document: BotDocument, into diagnostics: inout DiagnosticBag) {
        for state in document.states where state.name != document.initialState && state.timeToLive == nil {
            let leaves = document.gotoTargets.contains { target, rule in
                target != state.name && (rule.states.isEmpty || rule.states.contains { $0.name == state.name })
            }
            if !leaves {
                diagnostics.report(
                    "state-never-left", "users in state '\(state.name)' can never leave it", at: state.location,
                    severity: .warning,
                    notes: ["give the state a ttl, or add a rule in it with a goto to another state"])
            }
        }
    }
}
