/// Non-initial states with no time-to-live that no rule ever leaves: users would be stuck there.
enum StateNeverLeftRule: ValidationRule {
    static func validate(_ document: BotDocument, into diagnostics: inout DiagnosticBag) {
        // One pass over the gotos, so a bot with thousands of states stays linear.
        var leftStates: Set<String> = []
        var targetsFromAnyState: Set<String> = []
        for (target, rule) in document.gotoTargets {
            if rule.states.isEmpty {
                targetsFromAnyState.insert(target)
            } else {
                for state in rule.states where state.name != target { leftStates.insert(state.name) }
            }
        }
        let initial = document.initialState
        for state in document.states where state.name != initial && state.timeToLive == nil {
            let leaves =
                leftStates.contains(state.name) || targetsFromAnyState.contains { $0 != state.name }
            if !leaves {
                diagnostics.report(
                    "state-never-left", "users in state '\(state.name)' can never leave it", at: state.location,
                    severity: .warning,
                    notes: ["give the state a ttl, or add a rule in it with a goto to another state"])
            }
        }
    }
}
