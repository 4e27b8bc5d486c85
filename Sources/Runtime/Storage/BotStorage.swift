public import RuleEngine

/// Where bots keep user data, timers, the outbox and the inbox. One protocol, several backends,
/// one conformance suite (`StorageConformance` in the tests) run against each.
///
/// Contract:
/// - `commit` is atomic: all of a `UserCommit` is stored, or none of it.
/// - Expired values are never returned by `load`, and `purgeExpired` removes them.
/// - `claimDueTimers` hands each due timer to one caller until its lease lapses; a firing is
///   finished by committing `.fired(generation:)`, which removes the timer only if it was not restarted.
/// - `accept` stores inbound events and remembers their ids, so a redelivered id is refused.
public protocol BotStorage: Sendable {
    /// The backend's name for `/STATS`: Memory, SQLite, JSON or Redis.
    var kindName: String { get }

    /// The user's unexpired values and running timers.
    func load(bot: String, userID: String, now: Double) async throws -> UserSnapshot
    /// Writes a commit atomically.
    func commit(_ commit: UserCommit) async throws

    /// Leases up to `limit` timers due at `now` for `lease` seconds; leased timers are not returned again until the lease lapses.
    func claimDueTimers(now: Double, limit: Int, lease: Double) async throws -> [TimerRecord]
    /// The earliest due time of any timer, to sleep until then.
    func nextTimerDue() async throws -> Double?

    /// Outbox messages not yet sent, oldest first.
    func pendingOutbox(limit: Int) async throws -> [OutboundMessage]
    /// Removes sent (or permanently failed) outbox messages.
    func removeOutbox(ids: [String]) async throws

    /// Stores events whose ids were not seen before (remembered until `rememberUntil`), returning the accepted ones.
    func accept(_ events: [InboxEntry], rememberUntil: Double) async throws -> [InboxEntry]
    /// Accepted events not yet committed, in arrival order.
    func pendingInbox(limit: Int) async throws -> [InboxEntry]

    /// After a bot changed: users in a state it no longer declares go back to the initial state
    /// (their state data removed), and timers it no longer declares are cancelled.
    func migrate(bot: String, keepingStates states: Set<String>, keepingTimers timers: Set<String>) async throws
        -> MigrationCounts
    /// The users of `bot` that have stored data or running timers, in id order, at most `limit`:
    /// for the operator's console and `rulebot users`, never for the hot path.
    func users(bot: String, limit: Int) async throws -> [String]
    /// How many timers are pending, for metrics.
    func timerCount() async throws -> Int

    /// Moves items no retry can fix aside, keeping the newest `DeadLetter.capacity`.
    func quarantine(_ letters: [DeadLetter]) async throws
    /// The dead letters, newest first, at most `limit`.
    func deadLetters(limit: Int) async throws -> [DeadLetter]
    /// How many dead letters are kept.
    func deadLetterCount() async throws -> Int

    /// Deletes expired values and forgotten event ids; returns how many rows went.
    func purgeExpired(now: Double) async throws -> Int
    /// Operation counts since the backend was opened.
    func statistics() -> CacheStatistics

    /// Whether several processes share this storage (then each user is locked while processed,
    /// and stale outbox rows left by a dead instance are resent by the others).
    var isShared: Bool { get }
    /// Marks outbox messages as being sent by this process for `lease` seconds, so other
    /// instances do not take them for abandoned (shared storage only).
    func holdOutbox(ids: [String], lease: Double) async throws
    /// The shared-storage duties, when several processes share this storage.
    var shared: (any SharedStorage)? { get }
    /// Runs `body` while no other process handles this user (shared storage only).
    func withUserLease<T: Sendable>(bot: String, userID: String, _ body: @Sendable () async throws -> T) async throws
        -> T
}

extension BotStorage {
    /// Storage owned by one process.
    public var isShared: Bool { false }

    /// Not shared.
    public var shared: (any SharedStorage)? { nil }

    /// Nothing to hold when one process owns the outbox.
    public func holdOutbox(ids: [String], lease: Double) async throws {}

    /// In one process the host's per-user queue is enough.
    public func withUserLease<T: Sendable>(bot: String, userID: String, _ body: @Sendable () async throws -> T)
        async throws -> T
    {
        try await body()
    }
}

/// An inbound event waiting in the inbox, with the bot it is for.
public struct InboxEntry: Sendable, Hashable, Codable {
    /// The bot that will handle it.
    public var bot: String
    /// The event.
    public var event: InboundEvent

    /// Creates an entry.
    public init(bot: String, event: InboundEvent) {
        self.bot = bot
        self.event = event
    }

    /// The dedupe key: bot and event id.
    public var id: String { "\(bot):\(event.id)" }

    /// How long (seconds) accepted ids are remembered: Meta retries a delivery for up to 7 days.
    public static let dedupeWindow: Double = 7 * 86400
}

/// Counters a backend keeps for `/STATS` and metrics.
public struct CacheStatistics: Sendable, Hashable {
    /// Loads and commits.
    public var operations = 0
    /// Stored values found on load.
    public var hits = 0
    /// Loads that found nothing stored for the user.
    public var misses = 0
    /// Failed operations.
    public var errors = 0

    /// Creates zeroed counters.
    public init() {}

    /// The counters as the `stats` variable templates read.
    public func value(backend: String, now: Double) -> Value {
        let lookups = hits + misses
        let ratio = lookups == 0 ? 0 : (Double(hits) * 1000 / Double(lookups)).rounded() / 10
        return .object([
            "backend": .string(backend), "connected": .bool(true), "operations": .int(operations), "hits": .int(hits),
            "misses": .int(misses), "errors": .int(errors), "hit_ratio": .double(ratio), "checked_at": .double(now),
        ])
    }
}

/// What `BotStorage.migrate` changed.
public struct MigrationCounts: Sendable, Hashable {
    /// Users moved back to the initial state.
    public var users: Int
    /// Timers cancelled.
    public var timers: Int

    /// Creates counts.
    public init(users: Int, timers: Int) {
        self.users = users
        self.timers = timers
    }
}
