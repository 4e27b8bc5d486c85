import RuleEngine
import Synchronization

/// Storage in process memory: for tests and quick trials; everything is lost on exit.
public final class MemoryStorage: BotStorage {
    struct Data: Sendable {
        var values: [String: [StorageKey: StoredValue]] = [:]
        var timers: [String: [String: TimerRecord]] = [:]
        var leases: [String: Double] = [:]
        var outbox: [String: (sequence: Int, message: OutboundMessage)] = [:]
        var outboxSequence = 0
        /// Keyed by id: a commit takes its event out in one step even with a large backlog.
        var inbox: [String: (sequence: Int, entry: InboxEntry)] = [:]
        var inboxSequence = 0
        var seen: [String: Double] = [:]
        /// Oldest first.
        var deadLetters: [DeadLetter] = []
    }

    private let data = Mutex(Data())
    private let counter = StatisticsCounter()

    /// Creates empty storage.
    public init() {}

    /// Memory.
    public var kindName: String { "Memory" }

    private static func owner(_ bot: String, _ user: String) -> String { "\(bot)\u{1F}\(user)" }

    /// The user's unexpired values and timers.
    public func load(bot: String, userID: String, now: Double) async throws -> UserSnapshot {
        let owner = Self.owner(bot, userID)
        let snapshot = data.withLock { data in
            UserSnapshot(
                userID: userID, values: (data.values[owner] ?? [:]).filter { !$0.value.isExpired(at: now) },
                timers: data.timers[owner] ?? [:])
        }
        counter.load(found: snapshot.values.count)
        return snapshot
    }

    /// Applies the commit under one lock, so it is atomic. A commit of an event that was accepted
    /// and has already been handled is refused with `RuntimeError.alreadyHandled`.
    public func commit(_ commit: UserCommit) async throws {
        let owner = Self.owner(commit.bot, commit.userID)
        counter.operation()
        try data.withLock { data in
            if let id = commit.inboxID, data.seen[id] != nil, data.inbox[id] == nil {
                throw RuntimeError.alreadyHandled
            }
            for (key, value) in commit.writes {
                data.values[owner, default: [:]][key] = value
            }
            for (name, change) in commit.timers {
                let leaseKey = owner + "\u{1F}" + name
                switch change {
                case .start(let record):
                    data.timers[owner, default: [:]][name] = record
                    data.leases[leaseKey] = nil
                case .cancel:
                    data.timers[owner]?[name] = nil
                case .fired(let generation):
                    if data.timers[owner]?[name]?.generation == generation {
                        data.timers[owner]?[name] = nil
                        data.leases[leaseKey] = nil
                    }
                }
            }
            for message in commit.outbox {
                data.outboxSequence += 1
                data.outbox[message.id] = (data.outboxSequence, message)
            }
            if let inboxID = commit.inboxID { data.inbox[inboxID] = nil }
        }
    }

    /// Leases due timers.
    public func claimDueTimers(now: Double, limit: Int, lease: Double) async throws -> [TimerRecord] {
        data.withLock { data in
            var claimed: [TimerRecord] = []
            let due = data.timers.values.flatMap(\.values).filter { $0.dueAt <= now }.sorted { $0.dueAt < $1.dueAt }
            for timer in due where claimed.count < limit {
                let leaseKey = Self.owner(timer.bot, timer.userID) + "\u{1F}" + timer.name
                if let until = data.leases[leaseKey], until > now { continue }
                data.leases[leaseKey] = now + lease
                claimed.append(timer)
            }
            return claimed
        }
    }

    /// The earliest due time.
    public func nextTimerDue() async throws -> Double? {
        data.withLock { $0.timers.values.flatMap(\.values).map(\.dueAt).min() }
    }

    /// Unsent messages.
    public func pendingOutbox(limit: Int) async throws -> [OutboundMessage] {
        data.withLock { Array($0.outbox.values.sorted { $0.sequence < $1.sequence }.prefix(limit).map(\.message)) }
    }

    /// Removes sent messages.
    public func removeOutbox(ids: [String]) async throws {
        data.withLock { data in
            for id in ids { data.outbox[id] = nil }
        }
    }

    /// Stores new events, refusing seen ids.
    public func accept(_ events: [InboxEntry], rememberUntil: Double) async throws -> [InboxEntry] {
        data.withLock { data in
            var accepted: [InboxEntry] = []
            for entry in events {
                let id = entry.id
                guard data.seen[id] == nil else { continue }
                data.seen[id] = rememberUntil
                data.inboxSequence += 1
                data.inbox[id] = (data.inboxSequence, entry)
                accepted.append(entry)
            }
            return accepted
        }
    }

    /// Events not yet committed.
    public func pendingInbox(limit: Int) async throws -> [InboxEntry] {
        data.withLock { Array($0.inbox.values.sorted { $0.sequence < $1.sequence }.prefix(limit).map(\.entry)) }
    }

    /// Moves users out of removed states and cancels removed timers.
    public func migrate(bot: String, keepingStates states: Set<String>, keepingTimers timers: Set<String>) async throws
        -> MigrationCounts
    {
        data.withLock { data in
            var counts = MigrationCounts(users: 0, timers: 0)
            let prefix = Self.owner(bot, "")
            for owner in data.values.keys where owner.hasPrefix(prefix) {
                guard let name = data.values[owner]?[.machine]?.value["name"].string, !states.contains(name) else {
                    continue
                }
                data.values[owner] = data.values[owner]?.filter { $0.key.scope != .state }
                counts.users += 1
            }
            for owner in data.timers.keys where owner.hasPrefix(prefix) {
                let before = data.timers[owner]?.count ?? 0
                data.timers[owner] = data.timers[owner]?.filter { timers.contains($0.key) }
                counts.timers += before - (data.timers[owner]?.count ?? 0)
            }
            return counts
        }
    }

    /// Users with data or timers.
    public func users(bot: String, limit: Int) async throws -> [String] {
        data.withLock { data in
            let prefix = Self.owner(bot, "")
            let owners = Set(data.values.keys.filter { !(data.values[$0]?.isEmpty ?? true) })
                .union(data.timers.keys.filter { !(data.timers[$0]?.isEmpty ?? true) })
            return Array(
                owners.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }.sorted().prefix(limit)
            )
        }
    }

    /// Pending timers.
    public func timerCount() async throws -> Int {
        data.withLock { $0.timers.values.reduce(0) { $0 + $1.count } }
    }

    /// Removes expired values and forgotten ids.
    public func purgeExpired(now: Double) async throws -> Int {
        data.withLock { data in
            var removed = 0
            for owner in data.values.keys {
                let before = data.values[owner]?.count ?? 0
                data.values[owner] = data.values[owner]?.filter { !$0.value.isExpired(at: now) }
                removed += before - (data.values[owner]?.count ?? 0)
            }
            let seenBefore = data.seen.count
            data.seen = data.seen.filter { $0.value > now }
            return removed + seenBefore - data.seen.count
        }
    }

    /// Counters.
    public func statistics() -> CacheStatistics { counter.snapshot }

    /// Keeps the dead letters, the newest `DeadLetter.capacity`.
    public func quarantine(_ letters: [DeadLetter]) async throws {
        data.withLock { data in
            data.deadLetters += letters
            let excess = data.deadLetters.count - DeadLetter.capacity
            if excess > 0 { data.deadLetters.removeFirst(excess) }
        }
    }

    /// The dead letters, newest first.
    public func deadLetters(limit: Int) async throws -> [DeadLetter] {
        data.withLock { Array($0.deadLetters.suffix(limit).reversed()) }
    }

    /// How many dead letters are kept.
    public func deadLetterCount() async throws -> Int {
        data.withLock { $0.deadLetters.count }
    }
}
