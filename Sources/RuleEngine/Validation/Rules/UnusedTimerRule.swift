/// Timers that are declared but never started, so their rules can never fire.
enum UnusedTimerRule: ValidationRule {
    static func validate(_ document: BotDocument, into diagnostics: inout DiagnosticBag) {
        let started = Set(
            document.rules.flatMap(\.actions).flatMap {
                document.catalog.specs[$0.name]?.startedTimers($0.arguments) ?? []
            })
        for timer in document.timers where !started.contains(timer.name) {
            diagnostics.report(
                "unused-timer", "timer '\(timer.name)' is never started", at: timer.location, severity: .warning,
                notes: ["start it with '- restart_timer: \(timer.name)' in a rule"])
        }
    }
}
