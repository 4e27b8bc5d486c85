import Foundation
import RuleEngine
import Synchronization

/// Storage shared by several `rulebot serve` instances through one Redis server (or cluster).
///
/// Keys, under a prefix (default `rulebot:`) and the hash tag of the user's partition
/// (`RedisKeys`): `{N}:BOT:data:USER` (hash of `scope:key` → value), `{N}:BOT:timers:USER`
/// (hash of timer name → record), `{N}:timers:due` and `{N}:timers:lease` (sorted sets by time),
/// `{N}:outbox` / `{N}:inbox` (hashes with `:order` sorted sets), `{N}:seen:ID` (dedupe,
/// expiring after the window), `{N}:lock:BOT:USER` (per-user lease); and, global, `reload` (the
/// reload generation), `dead` (dead letters), `rate:NUMBER` (send-rate buckets), `layout`.
/// Every commit is one Lua script on one partition's keys, so it is atomic and stays in one
/// cluster slot; timers are claimed with a lease by another, so each fires once even with many
/// instances, and an instance that dies lets its lease lapse.
public final class RedisStorage: BotStorage, SharedStorage {
    let pool: RedisPool
    let keys: RedisKeys
    let counter = StatisticsCounter()
    /// How long a user's lock lasts unless renewed (every third of it while held).
    let lockMilliseconds: Int
    /// Where lock renewals fire: a serial queue of the storage's own, which dispatch gives a
    /// thread even when its shared worker threads are all busy or blocked.
    private let renewals = DispatchQueue(label: "rulebot.redis.renewal")
    /// Lock renewals sent since this storage was opened.
    let renewalsSent = Atomic<Int>(0)
    /// Exchanges made to handle users' events: locking, loading, committing, releasing.
    private let eventCounts = RedisCounts()
    /// The partition of outbox messages this instance committed or read, so that crossing one
    /// off touches only its partition (an unknown one is removed from every partition).
    let outboxPartitions = Mutex(RecentPartitions())

    /// What opening moved to bring the keys to this layout; nil when they already had it.
    public let layoutMigration: RedisLayoutReport?

    /// Connects to the Redis at `url`
    /// (`redis://[:password@]host[:port][/db][?prefix=name:&partitions=N]`), moving keys left
    /// by an earlier layout or another partition count first (`RedisLayout`).
    public convenience init(url: String) throws {
        try self.init(url: url, lockMilliseconds: 3_000)
    }

    /// The same, with users' locks lasting `lockMilliseconds` (tests shorten it).
    init(url: String, lockMilliseconds: Int) throws {
        self.lockMilliseconds = lockMilliseconds
        let endpoint = try RedisEndpoint(url: url)
        keys = RedisKeys(prefix: endpoint.prefix, partitions: endpoint.partitions)
        pool = try RedisPool(endpoint)
        layoutMigration = try RedisLayout.prepare(pool, keys: keys)
    }

    /// How many servers hold data: a cluster's primaries, or 1.
    public var primaries: Int { pool.primaries.count }

    /// The Redis Cluster hash slot of each of `count` partitions, in partition order: where a
    /// cluster puts them, for planning how partitions spread over primaries.
    public static func partitionSlots(_ count: Int) -> [Int] {
        RedisKeys(prefix: "", partitions: count).all.map { RedisSlot.of($0.tag) }
    }

    /// What every key starts with.
    var prefix: String { keys.prefix }

    /// How many partitions users are spread over (`partitions=` in the URL, default 1).
    public var partitions: Int { keys.partitions }

    /// Redis.
    public var kindName: String { "Redis" }

    /// Shared between instances: nothing may be cached in one process.
    public var isShared: Bool { true }

    /// Itself.
    public var shared: (any SharedStorage)? { self }

    /// A timer's member in the due and lease sets: `BOT|USER|NAME`.
    static func member(_ bot: String, _ user: String, _ name: String) -> String { "\(bot)|\(user)|\(name)" }

    /// What a remembered event id holds: its owner, `BOT|USER`.
    static func member(_ bot: String, _ user: String) -> String { "\(bot)|\(user)" }

    // MARK: Users

    /// The user's unexpired values and timers. Under `withUserLease` the first load of the
    /// leased user uses what was read with the lock, without asking Redis again.
    public func load(bot: String, userID: String, now: Double) async throws -> UserSnapshot {
        try await counter.counting {
            let replies: (data: [RedisReply], timers: [RedisReply])
            if let lease = RedisLease.current, lease.covers(bot: bot, userID: userID),
                let prefetched = lease.takePrefetched()
            {
                replies = prefetched
            } else {
                eventCounts.exchanges.add(1, ordering: .relaxed)
                let user = keys.user(bot: bot, userID: userID)
                let fetched = try await runChecked([["HGETALL", user.data], ["HGETALL", user.timers]])
                replies = (fetched[0].array, fetched[1].array)
            }
            let snapshot = try Self.snapshot(userID: userID, data: replies.data, timers: replies.timers, now: now)
            counter.load(found: snapshot.values.count)
            return snapshot
        }
    }

    /// A snapshot from `HGETALL` replies on a user's data and timers hashes.
    private static func snapshot(userID: String, data: [RedisReply], timers: [RedisReply], now: Double) throws
        -> UserSnapshot
    {
        var snapshot = UserSnapshot(userID: userID)
        for index in stride(from: 0, to: data.count - 1, by: 2) {
            guard let field = data[index].string, let json = data[index + 1].string,
                let separator = field.firstIndex(of: ":"), let scope = Scope(rawValue: String(field[..<separator]))
            else { continue }
            let stored = try StoredValue(recordJSON: json)
            if !stored.isExpired(at: now) {
                snapshot.values[StorageKey(scope, String(field[field.index(after: separator)...]))] = stored
            }
        }
        for index in stride(from: 1, to: timers.count, by: 2) {
            guard let json = timers[index].string else { continue }
            let record = try TimerRecord(recordJSON: json)
            snapshot.timers[record.name] = record
        }
        return snapshot
    }

    /// Applies the commit in one Lua script; throws `RuntimeError.alreadyHandled` when another
    /// instance already committed the same inbox event.
    public func commit(_ commit: UserCommit) async throws {
        try await counter.counting {
            counter.operation()
            var set: [Value] = []
            var del: [Value] = []
            for (storageKey, stored) in commit.writes {
                let field = "\(storageKey.scope.rawValue):\(storageKey.key)"
                if let stored {
                    set.append(
                        .array([
                            .string(field), .string(stored.recordJSON),
                        ]))
                } else {
                    del.append(.string(field))
                }
            }
            var start: [Value] = []
            var cancel: [Value] = []
            var fired: [Value] = []
            for (name, change) in commit.timers {
                let member = Value.string(Self.member(commit.bot, commit.userID, name))
                switch change {
                case .start(let record):
                    start.append(.array([.string(name), member, .double(record.dueAt), .string(record.recordJSON)]))
                case .cancel: cancel.append(.array([.string(name), member]))
                case .fired(let generation): fired.append(.array([.string(name), member, .string(generation)]))
                }
            }
            let outbox: [Value] = commit.outbox.map {
                .array([.string($0.id), .string($0.recordJSON), .double($0.createdAt)])
            }
            let payload: Value = .object([
                "set": .array(set), "del": .array(del), "start": .array(start), "cancel": .array(cancel),
                "fired": .array(fired),
                "outbox": .array(outbox), "inbox": commit.inboxID.map(Value.string) ?? .null,
            ])
            let user = keys.user(bot: commit.bot, userID: commit.userID)
            let partition = user.partition
            var scriptKeys = [
                user.data, user.timers, partition.timersDue, partition.timersLease, partition.outbox,
                partition.outboxOrder, partition.inbox, partition.inboxOrder,
            ]
            var arguments = [payload.storageJSON]
            // The leased user's commit releases the lock in the same script.
            let lease = RedisLease.current.flatMap { $0.covers(bot: commit.bot, userID: commit.userID) ? $0 : nil }
            if let lease {
                if !lease.isHeld { try await acquire(lease) }
                scriptKeys.append(lease.lockKey)
                arguments.append(lease.token)
            }
            eventCounts.exchanges.add(1, ordering: .relaxed)
            if !commit.outbox.isEmpty { remember(outbox: commit.outbox.map(\.id), in: partition.index) }
            let reply = try await pool.commandArray(
                ["EVAL", RedisScripts.commit, "\(scriptKeys.count)"] + scriptKeys + arguments)
            if reply == .integer(-1) {
                throw RuntimeError.storage("the user's lock lapsed before the commit; the event will be handled again")
            }
            lease?.setHeld(false)
            if reply == .integer(0) { throw RuntimeError.alreadyHandled }
        }
    }

    /// What a crash of Redis itself (of any primary, on a cluster) could lose, from its
    /// persistence settings: nil when an acknowledged event survives it (`appendonly yes` with `appendfsync always` or
    /// `everysec`, which loses at most the last second), else the warning to log.
    public func durabilityWarning() async -> String? {
        for address in pool.primaries {
            if let warning = await durabilityWarning(at: address) {
                return pool.isCluster ? "\(address): \(warning)" : warning
            }
        }
        return nil
    }

    private func durabilityWarning(at address: String) async -> String? {
        guard
            let replies = try? await pool.run(
                [["CONFIG", "GET", "appendonly"], ["CONFIG", "GET", "appendfsync"]], on: address),
            let appendOnly = replies[0].array.last?.string, let fsync = replies[1].array.last?.string
        else {
            return
                "could not read Redis's persistence settings (CONFIG GET); an acknowledged webhook is only as durable as they make it"
        }
        if appendOnly != "yes" {
            return
                "Redis runs with appendonly \(appendOnly): a webhook acknowledged before Redis's next snapshot is lost if Redis crashes; set appendonly yes and appendfsync everysec (README, Running several instances)"
        }
        if fsync == "no" {
            return
                "Redis runs with appendfsync no: the operating system decides when writes reach the disk, so a machine crash can lose acknowledged webhooks; set appendfsync everysec or always"
        }
        return nil
    }

    /// Runs `body` holding the user's lock, so no other instance processes the same user
    /// meanwhile. The lock is taken with the user's data in one script (`RedisLease`), and the
    /// commit of the user's changes releases it; only a body that commits nothing costs a
    /// separate release.
    public func withUserLease<T: Sendable>(bot: String, userID: String, _ body: @Sendable () async throws -> T)
        async throws -> T
    {
        let user = keys.user(bot: bot, userID: userID)
        let lease = RedisLease(bot: bot, userID: userID, lockKey: user.lock, token: UUID().uuidString)
        // Renewed from a dispatch timer started before the lock is taken, not from a task: the
        // lock must outlive a moment when every cooperative thread is busy, including the one
        // between Redis setting it and this task running again. The renewal checks the token,
        // so renewing a lock not (or no longer) held does nothing.
        let renewal = DispatchSource.makeTimerSource(queue: renewals)
        let interval = DispatchTimeInterval.milliseconds(lockMilliseconds / 3)
        renewal.schedule(deadline: .now() + interval, repeating: interval)
        renewal.setEventHandler { [weak self, pool, lockMilliseconds] in
            self?.renewalsSent.add(1, ordering: .relaxed)
            pool.send([["EVAL", RedisScripts.renew, "1", lease.lockKey, lease.token, "\(lockMilliseconds)"]])
        }
        renewal.resume()
        defer { renewal.cancel() }
        try await acquire(lease, loading: (user.data, user.timers))
        do {
            let result = try await RedisLease.$current.withValue(lease) { try await body() }
            await release(lease)
            return result
        } catch {
            await release(lease)
            throw error
        }
    }

    /// Takes the lease's lock, waiting with backoff while another holder has it; with `loading`,
    /// reads the user's data and timers in the same script.
    private func acquire(_ lease: RedisLease, loading: (data: String, timers: String)? = nil) async throws {
        var delay = 0.002
        while true {
            eventCounts.exchanges.add(1, ordering: .relaxed)
            if let loading {
                let reply = try await pool.commandArray([
                    "EVAL", RedisScripts.lockAndLoad, "3", lease.lockKey, loading.data, loading.timers, lease.token,
                    "\(lockMilliseconds)",
                ])
                if case .array(let hashes) = reply, hashes.count == 2 {
                    lease.prefetch(data: hashes[0].array, timers: hashes[1].array)
                    break
                }
            } else if try await pool.commandArray([
                "SET", lease.lockKey, lease.token, "NX", "PX", "\(lockMilliseconds)",
            ]) == .status("OK") {
                break
            }
            try await Task.sleep(for: .seconds(delay * Double.random(in: 0.5...1.5)))
            delay = min(0.1, delay * 2)
        }
        lease.setHeld(true)
    }

    private func release(_ lease: RedisLease) async {
        guard lease.isHeld else { return }
        eventCounts.exchanges.add(1, ordering: .relaxed)
        _ = try? await pool.commandArray(["EVAL", RedisScripts.release, "1", lease.lockKey, lease.token])
        lease.setHeld(false)
    }

    /// Request/reply exchanges with Redis since this storage was opened: what an event waits
    /// for, counted (`Benchmarks redis` reports them per event).
    public var exchanges: Int { pool.exchanges }

    /// The exchanges of `exchanges` made to lock, load, commit and release users: the hot path
    /// of an event, two per event when nothing contends for the user.
    public var eventExchanges: Int { eventCounts.exchanges.load(ordering: .relaxed) }

    /// Network round trips since this storage was opened; concurrent exchanges share them.
    public var roundTrips: Int { pool.flushes }

}
