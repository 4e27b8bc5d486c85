/// One event's decision trace as it is kept per user: what happened, every rule considered and
/// why it did or did not fire (with the values its condition read), and what the firing rules
/// did: writes, state change, timers, replies. Sensitive keys show as `•••`.
public struct StoredTrace: Sendable, Hashable, Codable {
    /// One rule considered.
    public struct Rule: Sendable, Hashable, Codable {
        /// Its id.
        public var id: String
        /// Where it is written (`file:line:column`).
        public var location: String
        /// Whether it fired.
        public var fired: Bool
        /// Why not, in words, with the values involved.
        public var reason: String?
    }

    /// One message the rules sent.
    public struct Reply: Sendable, Hashable, Codable {
        /// Its outbox id (statuses and `send_failed` name it).
        public var outboxID: String
        /// What it says, with button ids and media sources.
        public var text: String
    }

    /// Counts events of the user, so traces read back in order.
    public var sequence: Int
    /// When it was handled (Unix seconds).
    public var at: Double
    /// The event's id.
    public var eventID: String
    /// The event in words: `text "hello"`, `tap confirm`, `timer reminder`, …
    public var event: String
    /// The bot version (its file's hash) that handled it.
    public var version: String
    /// The user's state before and after.
    public var stateBefore: String
    /// The state after.
    public var stateAfter: String
    /// The rules considered, in order.
    public var rules: [Rule]
    /// What the firing rules wrote: `user.count = 2`.
    public var writes: [String]
    /// Timers started or cancelled.
    public var timers: [String]
    /// Messages sent (and work handed off).
    public var replies: [Reply]
    /// Notes: a stale timer, a closed window, a paused conversation, texts cut to fit.
    public var notes: [String]
    /// For a status or a failed send: the outbox id of the reply it reports on, and what it says
    /// (`delivered`, `read`, `failed`), so the reply's outcome shows beside it.
    public var outcome: ReplyOutcome?

    /// What became of one reply.
    public struct ReplyOutcome: Sendable, Hashable, Codable {
        /// The reply's outbox id.
        public var outboxID: String
        /// `sent`, `delivered`, `read`, `failed`…
        public var status: String
    }
}

/// How many traces are kept per user, and for how long.
public struct TraceSettings: Sendable, Hashable {
    /// Traces kept per user; 0 keeps none.
    public var perUser: Int
    /// Seconds a trace is kept.
    public var retention: Double

    /// Creates settings.
    public init(perUser: Int = 50, retention: Double = 7 * 86_400) {
        self.perUser = perUser
        self.retention = retention
    }

    /// No traces kept (the server's `--traces off`, and tests).
    public static let off = TraceSettings(perUser: 0)

    /// Where a bot's traces are kept: a namespace of their own, never loaded with the user's data.
    public static func namespace(_ bot: String) -> String { bot + "#traces" }
    /// The user's count of traced events (hidden from `user`).
    static let counter = StorageKey(.user, "@trace")
}

/// The version of the bot that last handled a user.
public enum BotVersion {
    /// Where it is kept (hidden from `user`).
    public static let key = StorageKey(.user, "@version")
}
