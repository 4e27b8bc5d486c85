/// States no `goto` ever moves a user to.
enum UnreachableStateRule: ValidationRule {
    static func validate(_ document: BotDocument, into diagnostics: inout DiagnosticBag) {
        let targets = Set(document.gotoTargets.map(\.state))
        let initial = document.initialState
        for state in document.states where state.name != initial && !targets.contains(state.name) {
            diagnostics.report(
                "unreachable-state", "no rule ever moves a user to state '\(state.name)'", at: state.location,
                severity: .warning, notes: ["add '- goto: \(state.name)' to a rule, or remove the state"])
        }
    }
}
