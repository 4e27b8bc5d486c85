/// Free-form messages in rules that can run more than 24 hours after the user's last message:
/// WhatsApp refuses them (error 131047) once the customer-service window is closed.
///
/// A rule runs inside the window when the user's own message triggers it, or when it is a timer
/// that only message rules start, always for 24 hours or less (a later message restarts the
/// window, and `start_timer` leaves a running timer alone). Anything else may run later:
/// statuses, failed sends, timers started at a computed time or from other timers.
enum ServiceWindowRule: ValidationRule {
    static let window: Double = 24 * 3600

    static func validate(_ document: BotDocument, into diagnostics: inout DiagnosticBag) {
        let shortTimers = timersWithinWindow(document)
        let templates = document.whatsAppTemplates.map(\.name)
        for rule in document.rules where rule.fallback == nil {
            guard let late = lateness(rule.trigger ?? .anyMessage, shortTimers: shortTimers) else { continue }
            for action in rule.actions where document.catalog.specs[action.name]?.sendsFreeForm == true {
                let template = templates.first ?? "NAME"
                diagnostics.report(
                    "outside-service-window",
                    "'\(action.name)' in rule '\(rule.id)' can run more than 24 hours after the user's last message "
                        + "(\(late)); WhatsApp then accepts only template messages",
                    at: action.location, severity: .warning,
                    notes: [
                        "fix: add 'fallback_template: \(template)' to the rule, sent instead when the window is closed",
                        "or send a template: '- send_template: \(template)'"
                            + (templates.isEmpty ? " (declare it under whatsapp_templates:)" : ""),
                    ])
            }
        }
    }

    /// Why a rule with this trigger may run outside the window, or nil when it cannot.
    private static func lateness(_ trigger: Trigger, shortTimers: Set<String>) -> String? {
        switch trigger {
        case .timer(let name): shortTimers.contains(name) ? nil : "timer '\(name)' may fire later than that"
        case .status: "delivery statuses can arrive days later"
        case .sendFailed: "a send can fail after the window has closed"
        case .event: "the business may post the event any time"
        default: nil
        }
    }

    /// Timers every start of which is by a user's message and fires within 24 hours.
    private static func timersWithinWindow(_ document: BotDocument) -> Set<String> {
        var short = Set(document.timers.filter { $0.duration <= window }.map(\.name))
        for rule in document.rules {
            let byMessage = (rule.trigger ?? .anyMessage).isMessage
            for action in rule.actions {
                guard let spec = document.catalog.specs[action.name] else { continue }
                for timer in spec.startedTimers(action.arguments) {
                    let after = action.arguments["after"].string
                    let withinWindow =
                        action.arguments["at"] == .null
                        && (after.map { !$0.hasPrefix("=") && (DurationText.seconds($0) ?? .infinity) <= window }
                            ?? true)
                    if !byMessage || !withinWindow { short.remove(timer) }
                }
            }
        }
        return short
    }
}
