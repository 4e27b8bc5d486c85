public import RuleEngine

/// Why a rule did not fire; kept as data and turned into text only when a trace is shown.
public enum SkipReason: Sendable, Hashable, CustomStringConvertible {
    /// The event is not what the rule's trigger waits for.
    case trigger(Trigger)
    /// The user is in another state.
    case state(current: String, needed: [String])
    /// The rule's condition was false.
    case condition(String)

    /// The reason in words.
    public var description: String {
        switch self {
        case .trigger(let trigger): "trigger '\(trigger.label)' does not match"
        case .state(let current, let needed):
            "user is in state '\(current)', rule needs \(needed.map { "'\($0)'" }.joined(separator: " or "))"
        case .condition(let source): "condition '\(source)' is false"
        }
    }
}

/// Why each considered rule did or did not fire for one event.
public struct Trace: Sendable, Hashable {
    /// One rule's outcome.
    public struct Entry: Sendable, Hashable {
        /// What happened to the rule.
        public enum Outcome: Sendable, Hashable {
            /// Its actions ran.
            case fired
            /// It was skipped, with the reason.
            case skipped(SkipReason)
        }

        /// The rule's id.
        public var ruleID: String
        /// Where the rule is.
        public var location: SourceLocation
        /// What happened.
        public var outcome: Outcome
        /// For a false condition, the values it read: `user.count is 2`.
        public var values: [String] = []
    }

    /// Entries in evaluation order.
    public var entries: [Entry] = []
    /// A note for the event as a whole, such as a stale timer firing.
    public var note: String?
    /// Texts cut to fit a limit while the event was evaluated.
    public var warnings: [String] = []

    /// One line per entry: `✓ rule-id (file:line)` or `✗ rule-id: reason`.
    public var rendered: String {
        var lines = entries.map { entry -> String in
            switch entry.outcome {
            case .fired: "  ✓ \(entry.ruleID) (\(entry.location)) fired"
            case .skipped(let reason):
                "  ✗ \(entry.ruleID) (\(entry.location)): \(reason.description)"
                    + (entry.values.isEmpty ? "" : ": " + entry.values.joined(separator: ", "))
            }
        }
        if let note { lines.insert("  • \(note)", at: 0) }
        lines += warnings.map { "  ⚠ \($0)" }
        return lines.joined(separator: "\n")
    }
}
