/// More than one state marked `initial: true`.
enum InitialStateRule: ValidationRule {
    static func validate(_ document: BotDocument, into diagnostics: inout DiagnosticBag) {
        let initial = document.states.filter(\.isInitial)
        for state in initial.dropFirst() {
            diagnostics.report(
                "multiple-initial-states", "state '\(state.name)' is marked initial, but so is '\(initial[0].name)'",
                at: state.location)
        }
    }
}
