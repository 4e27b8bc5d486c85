public import RuleEngine

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
    /// For lists in `writes` that only grew by `append` (and lost their oldest items to `max`),
    /// the change from the list the user's snapshot held. `writes` still holds the whole list;
    /// a backend may store just this difference instead.
    public var appends: [StorageKey: ListAppend] = [:]
    /// Timer changes by timer name.
    public var timers: [String: TimerChange] = [:]
    /// Messages to queue for sending.
    public var outbox: [OutboundMessage] = []
    /// The inbox row this event came from, removed in the same transaction. It is an event of
    /// this commit's user: Redis keeps it in the user's partition.
    public var inboxID: String?

    /// Creates an empty commit.
    public init(bot: String, userID: String) {
        self.bot = bot
        self.userID = userID
    }

    /// Whether the commit changes nothing.
    public var isEmpty: Bool { writes.isEmpty && timers.isEmpty && outbox.isEmpty && inboxID == nil }
}

/// How a stored list changed: its oldest `dropFirst` items were removed, then `items` added.
public struct ListAppend: Sendable, Hashable {
    /// How many of the stored list's first items were removed.
    public var dropFirst: Int
    /// The items added at the end, oldest first.
    public var items: [Value]

    /// Creates a change.
    public init(dropFirst: Int = 0, items: [Value] = []) {
        self.dropFirst = dropFirst
        self.items = items
    }
}
