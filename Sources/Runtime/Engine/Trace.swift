public import RuleEngine

/// Why each considered rule did or did not fire for one event.
public struct Trace: Sendable, Hashable {
    /// One rule's outcome.
    public struct Entry: Sendable, Hashable {
        /// What happened to the rule.
        public enum Outcome: Sendable, Hashable {
            /// Its actions ran.
            case fired
            /// It was skipped, with the reason.
            case skipped(String)
        }

        /// The rule's id.
        public var ruleID: String
        /// Where the rule is.
        public var location: SourceLocation
        /// What happened.
        public var outcome: Outcome
    }

    /// Entries in evaluation order.
    public var entries: [Entry] = []
    /// A note for the event as a whole, such as a stale timer firing.
    public var note: String?

    /// One line per entry: `✓ rule-id (file:line)` or `✗ rule-id: reason`.
    public var rendered: String {
        var lines = entries.map { entry -> String in
            switch entry.outcome {
            case .fired: "  ✓ \(entry.ruleID) (\(entry.location)) fired"
            case .skipped(let reason): "  ✗ \(entry.ruleID) (\(entry.location)): \(reason)"
            }
        }
        if let note { lines.insert("  • \(note)", at: 0) }
        return lines.joined(separator: "\n")
    }
}
