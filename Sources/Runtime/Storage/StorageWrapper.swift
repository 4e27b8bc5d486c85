/// A storage that hands every duty to `base` unless it says otherwise: a wrapper that counts,
/// refuses or delays one operation implements just that one.
public protocol StorageWrapper: BotStorage {
    /// The storage that does the work.
    var base: any BotStorage { get }
}

extension StorageWrapper {
    /// The base's name.
    public var kindName: String { base.kindName }
    /// From the base.
    public func load(bot: String, userID: String, now: Double) async throws -> UserSnapshot {
        try await base.load(bot: bot, userID: userID, now: now)
    }
    /// To the base.
    public func commit(_ commit: UserCommit) async throws { try await base.commit(commit) }
    /// From the base.
    public func claimDueTimers(now: Double, limit: Int, lease: Double) async throws -> [TimerRecord] {
        try await base.claimDueTimers(now: now, limit: limit, lease: lease)
    }
    /// From the base.
    public func nextTimerDue() async throws -> Double? { try await base.nextTimerDue() }
    /// From the base.
    public func pendingOutbox(limit: Int) async throws -> [OutboundMessage] {
        try await base.pendingOutbox(limit: limit)
    }
    /// To the base.
    public func removeOutbox(ids: [String]) async throws { try await base.removeOutbox(ids: ids) }
    /// To the base.
    public func accept(_ events: [InboxEntry], rememberUntil: Double) async throws -> [InboxEntry] {
        try await base.accept(events, rememberUntil: rememberUntil)
    }
    /// From the base.
    public func pendingInbox(limit: Int) async throws -> [InboxEntry] { try await base.pendingInbox(limit: limit) }
    /// To the base.
    public func migrate(bot: String, keepingStates states: Set<String>, keepingTimers timers: Set<String>)
        async throws -> MigrationCounts
    {
        try await base.migrate(bot: bot, keepingStates: states, keepingTimers: timers)
    }
    /// From the base.
    public func users(bot: String, limit: Int) async throws -> [String] {
        try await base.users(bot: bot, limit: limit)
    }
    /// From the base.
    public func timerCount() async throws -> Int { try await base.timerCount() }
    /// To the base.
    public func quarantine(_ letters: [DeadLetter]) async throws { try await base.quarantine(letters) }
    /// From the base.
    public func deadLetters(limit: Int) async throws -> [DeadLetter] { try await base.deadLetters(limit: limit) }
    /// From the base.
    public func deadLetterCount() async throws -> Int { try await base.deadLetterCount() }
    /// To the base.
    public func purgeExpired(now: Double) async throws -> Int { try await base.purgeExpired(now: now) }
    /// The base's.
    public func statistics() -> CacheStatistics { base.statistics() }
    /// The base's.
    public var isShared: Bool { base.isShared }
    /// The base's.
    public var shared: (any SharedStorage)? { base.shared }
    /// To the base.
    public func holdOutbox(ids: [String], lease: Double) async throws {
        try await base.holdOutbox(ids: ids, lease: lease)
    }
    /// The base's lease.
    public func withUserLease<T: Sendable>(bot: String, userID: String, _ body: @Sendable () async throws -> T)
        async throws -> T
    {
        try await base.withUserLease(bot: bot, userID: userID, body)
    }
}
