/// Everything one event changes for one user, written atomically by a storage backend.
public struct UserCommit: Sendable, Hashable {
    /// A change to one of the user's timers.
    public enum TimerChange: Sendable, Hashable {
        /// Start (or replace) the timer.
        case start(TimerRecord)
        /// Remove the timer whatever its generation.
        case cancel
        /// Remove the timer only if it is still this generation: the firing that was just handled.
        case fired(generation: String)
    }

    /// The bot.
    public var bot: String
    /// The user.
    public var userID: String
    /// New stored values; nil deletes.
    public var writes: [StorageKey: StoredValue?] = [:]
    /// Timer changes by timer name.
    public var timers: [String: TimerChange] = [:]
    /// Messages to queue for sending.
    public var outbox: [OutboundMessage] = []
    /// The inbox row this event came from, removed in the same transaction.
    public var inboxID: String?

    /// Creates an empty commit.
    public init(bot: String, userID: String) {
        self.bot = bot
        self.userID = userID
    }

    /// Whether the commit changes nothing.
    public var isEmpty: Bool { writes.isEmpty && timers.isEmpty && outbox.isEmpty && inboxID == nil }
}
