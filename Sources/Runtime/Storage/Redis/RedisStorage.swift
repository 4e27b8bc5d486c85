import Foundation
import RuleEngine
import Synchronization

/// Storage shared by several `rulebot serve` instances through one Redis server.
///
/// Keys, under a prefix (default `rulebot:`): `BOT:data:USER` (hash of `scope:key` → value),
/// `BOT:timers:USER` (hash of timer name → record), `timers:due` and `timers:lease` (sorted sets
/// by time), `outbox` / `inbox` (hashes with `:order` sorted sets), `seen:ID` (dedupe, expiring
/// after the window), `lock:BOT:USER` (per-user lease), `reload` (the reload generation).
/// Every commit is one Lua script, so it is atomic; timers are claimed with a lease by another,
/// so each fires once even with many instances, and an instance that dies lets its lease lapse.
public final class RedisStorage: BotStorage, SharedStorage {
    let pool: RedisPool
    let prefix: String
    private let counter = StatisticsCounter()
    private let lockMilliseconds = 3_000
    /// Exchanges made to handle users' events: locking, loading, committing, releasing.
    private let eventCounts = RedisCounts()

    /// Connects to the Redis at `url` (`redis://[:password@]host[:port][/db][?prefix=name:]`).
    public init(url: String) throws {
        let endpoint = try RedisEndpoint(url: url)
        prefix = endpoint.prefix
        pool = try RedisPool(endpoint)
    }

    /// Redis.
    public var kindName: String { "Redis" }

    /// Shared between instances: nothing may be cached in one process.
    public var isShared: Bool { true }

    /// Itself.
    public var shared: (any SharedStorage)? { self }

    func key(_ parts: String...) -> String { prefix + parts.joined(separator: ":") }
    private func dataKey(_ bot: String, _ user: String) -> String { key(bot, "data", user) }
    private func timersKey(_ bot: String, _ user: String) -> String { key(bot, "timers", user) }
    private static func member(_ bot: String, _ user: String, _ name: String) -> String { "\(bot)|\(user)|\(name)" }

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
                let fetched = try await pool.run([
                    ["HGETALL", dataKey(bot, userID)], ["HGETALL", timersKey(bot, userID)],
                ])
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
            var keys = [
                dataKey(commit.bot, commit.userID), timersKey(commit.bot, commit.userID), key("timers", "due"),
                key("timers", "lease"),
                key("outbox"), key("outbox", "order"), key("inbox"), key("inbox", "order"),
            ]
            var arguments = [payload.storageJSON]
            // The leased user's commit releases the lock in the same script.
            let lease = RedisLease.current.flatMap { $0.covers(bot: commit.bot, userID: commit.userID) ? $0 : nil }
            if let lease {
                if !lease.isHeld { try await acquire(lease) }
                keys.append(lease.lockKey)
                arguments.append(lease.token)
            }
            eventCounts.exchanges.add(1, ordering: .relaxed)
            let reply = try await pool.commandArray(
                ["EVAL", RedisScripts.commit, "\(keys.count)"] + keys + arguments)
            if reply == .integer(-1) {
                throw RuntimeError.storage("the user's lock lapsed before the commit; the event will be handled again")
            }
            lease?.setHeld(false)
            if reply == .integer(0) { throw RuntimeError.alreadyHandled }
        }
    }

    /// What a crash of Redis itself could lose, from its persistence settings: nil when an
    /// acknowledged event survives it (`appendonly yes` with `appendfsync always` or
    /// `everysec`, which loses at most the last second), else the warning to log.
    public func durabilityWarning() async -> String? {
        guard let appendOnly = try? await pool.command("CONFIG", "GET", "appendonly").array.last?.string,
            let fsync = try? await pool.command("CONFIG", "GET", "appendfsync").array.last?.string
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
        let lease = RedisLease(
            bot: bot, userID: userID, lockKey: key("lock", bot, userID), token: UUID().uuidString)
        // Renewed from a dispatch timer started before the lock is taken, not from a task: the
        // lock must outlive a moment when every cooperative thread is busy, including the one
        // between Redis setting it and this task running again. The renewal checks the token,
        // so renewing a lock not (or no longer) held does nothing.
        let renewal = DispatchSource.makeTimerSource(queue: .global())
        let interval = DispatchTimeInterval.milliseconds(lockMilliseconds / 3)
        renewal.schedule(deadline: .now() + interval, repeating: interval)
        renewal.setEventHandler { [pool, lockMilliseconds] in
            pool.send([["EVAL", RedisScripts.renew, "1", lease.lockKey, lease.token, "\(lockMilliseconds)"]])
        }
        renewal.resume()
        defer { renewal.cancel() }
        try await acquire(lease, loading: (dataKey(bot, userID), timersKey(bot, userID)))
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

    // MARK: Timers

    /// Leases due timers with a Lua script, so each is handed to one instance.
    public func claimDueTimers(now: Double, limit: Int, lease: Double) async throws -> [TimerRecord] {
        try await counter.counting {
            let members = try await pool.commandArray([
                "EVAL", RedisScripts.claim, "2", key("timers", "due"), key("timers", "lease"), "\(now)", "\(limit)",
                "\(now + lease)",
            ]).array.compactMap(\.string)
            guard !members.isEmpty else { return [] }
            let lookups = members.map { member -> [String] in
                let parts = member.split(separator: "|", maxSplits: 2).map(String.init)
                return ["HGET", timersKey(parts[0], parts.count > 1 ? parts[1] : ""), parts.count > 2 ? parts[2] : ""]
            }
            return try await pool.run(lookups).compactMap { reply in
                try reply.string.map(TimerRecord.init(recordJSON:))
            }
        }
    }

    /// The earliest due time.
    public func nextTimerDue() async throws -> Double? {
        let reply = try await pool.command("ZRANGE", key("timers", "due"), "0", "0", "WITHSCORES")
        return reply.array.count == 2 ? reply.array[1].string.flatMap(Double.init) : nil
    }

    /// Pending timers.
    public func timerCount() async throws -> Int {
        if case .integer(let count) = try await pool.command("ZCARD", key("timers", "due")) { return count }
        return 0
    }

    // MARK: Outbox and inbox

    /// Unsent messages, oldest first.
    public func pendingOutbox(limit: Int) async throws -> [OutboundMessage] {
        try await ordered(
            hash: key("outbox"), order: key("outbox", "order"), limit: limit, as: OutboundMessage.init(recordJSON:))
    }

    /// The first `limit` items of a hash in the order its companion sorted set gives.
    private func ordered<T>(hash: String, order: String, limit: Int, as read: (String) throws -> T) async throws
        -> [T]
    {
        guard limit > 0 else { return [] }
        // One script up to what Lua's unpack takes; an operator's larger reads go in two steps.
        if limit <= 1000 {
            let bodies = try await pool.commandArray(["EVAL", RedisScripts.ordered, "2", hash, order, "\(limit)"]).array
            return try bodies.compactMap { try $0.string.map(read) }
        }
        let ids = try await pool.command("ZRANGE", order, "0", "\(limit - 1)").array.compactMap(\.string)
        guard !ids.isEmpty else { return [] }
        let chunks = stride(from: 0, to: ids.count, by: 1000).map {
            ["HMGET", hash] + ids[$0..<min($0 + 1000, ids.count)]
        }
        return try await pool.run(chunks).flatMap(\.array).compactMap { try $0.string.map(read) }
    }

    /// Outbox messages created before `cutoff` (left by an instance that died), each handed to
    /// only one caller for `lease` seconds, so survivors never resend the same message twice.
    public func claimStaleOutbox(createdBefore cutoff: Double, limit: Int, lease: Double) async throws
        -> [OutboundMessage]
    {
        let bodies = try await pool.commandArray([
            "EVAL", RedisScripts.claimStaleOutbox, "2", key("outbox"), key("outbox", "order"),
            key("outbox", "claim") + ":",
            "\(cutoff)", "\(limit)", "\(Int(lease * 1000))",
        ]).array
        return try bodies.compactMap { try $0.string.map(OutboundMessage.init(recordJSON:)) }
    }

    /// Holds the claim on messages this instance is sending.
    public func holdOutbox(ids: [String], lease: Double) async throws {
        guard !ids.isEmpty else { return }
        _ = try await pool.run(
            ids.map { ["SET", key("outbox", "claim") + ":" + $0, "1", "PX", "\(Int(lease * 1000))"] })
    }

    /// Removes sent messages.
    public func removeOutbox(ids: [String]) async throws {
        guard !ids.isEmpty else { return }
        _ = try await pool.run([["HDEL", key("outbox")] + ids, ["ZREM", key("outbox", "order")] + ids])
    }

    /// Stores new events, refusing ids seen within the window, in one Lua script.
    public func accept(_ events: [InboxEntry], rememberUntil: Double) async throws -> [InboxEntry] {
        guard !events.isEmpty else { return [] }
        return try await counter.counting {
            var arguments = ["EVAL", RedisScripts.accept, "2", key("inbox"), key("inbox", "order"), key("seen") + ":"]
            arguments.append(String(Int(rememberUntil * 1000)))
            arguments.append(String(Date().timeIntervalSince1970))
            for entry in events {
                arguments.append(entry.id)
                arguments.append(entry.recordJSON)
            }
            let accepted = Set(try await pool.commandArray(arguments).array.compactMap(\.string))
            return events.filter { accepted.contains($0.id) }
        }
    }

    /// Events accepted but not yet committed, oldest first.
    public func pendingInbox(limit: Int) async throws -> [InboxEntry] {
        try await ordered(
            hash: key("inbox"), order: key("inbox", "order"), limit: limit, as: InboxEntry.init(recordJSON:))
    }

    // MARK: Maintenance

    /// The keys matching a `SCAN` pattern, as `redis-cli --scan --pattern` lists them.
    public func scanKeys(_ pattern: String) async throws -> [String] {
        try await scan(pattern)
    }

    private func scan(_ pattern: String) async throws -> [String] {
        var cursor = "0"
        var keys: [String] = []
        repeat {
            let reply = try await pool.command("SCAN", cursor, "MATCH", pattern, "COUNT", "500").array
            guard reply.count == 2 else { break }
            cursor = reply[0].string ?? "0"
            keys += reply[1].array.compactMap(\.string)
        } while cursor != "0"
        return keys
    }

    /// Users with data or timers.
    public func users(bot: String, limit: Int) async throws -> [String] {
        var users = Set<String>()
        for kind in ["data", "timers"] {
            let prefix = key(bot, kind) + ":"
            for found in try await scan(key(bot, kind, "*")) { users.insert(String(found.dropFirst(prefix.count))) }
        }
        return Array(users.sorted().prefix(limit))
    }

    /// Moves users out of removed states and cancels removed timers.
    public func migrate(bot: String, keepingStates states: Set<String>, keepingTimers timers: Set<String>) async throws
        -> MigrationCounts
    {
        var counts = MigrationCounts(users: 0, timers: 0)
        for dataKey in try await scan(key(bot, "data", "*")) {
            guard let json = try await pool.command("HGET", dataKey, "state:\(StorageKey.machine.key)").string,
                let name = try StoredValue(recordJSON: json).value["name"].string,
                !states.contains(name)
            else { continue }
            let fields = try await pool.command("HKEYS", dataKey).array.compactMap(\.string).filter {
                $0.hasPrefix("state:")
            }
            _ = try await pool.commandArray(["HDEL", dataKey] + fields)
            counts.users += 1
        }
        let timerPrefix = key(bot, "timers") + ":"
        for timersKey in try await scan(key(bot, "timers", "*")) {
            let user = String(timersKey.dropFirst(timerPrefix.count))
            for name in try await pool.command("HKEYS", timersKey).array.compactMap(\.string)
            where !timers.contains(name) {
                let member = Self.member(bot, user, name)
                _ = try await pool.run([
                    ["HDEL", timersKey, name], ["ZREM", key("timers", "due"), member],
                    ["ZREM", key("timers", "lease"), member],
                ])
                counts.timers += 1
            }
        }
        return counts
    }

    /// Deletes expired values (dedupe ids expire by themselves).
    public func purgeExpired(now: Double) async throws -> Int {
        var removed = 0
        for dataKey in try await scan(key("*", "data", "*")) {
            let all = try await pool.command("HGETALL", dataKey).array
            var expired: [String] = []
            for index in stride(from: 0, to: all.count - 1, by: 2) {
                guard let field = all[index].string, let json = all[index + 1].string,
                    let stored = try? StoredValue(recordJSON: json),
                    stored.isExpired(at: now)
                else { continue }
                expired.append(field)
            }
            if !expired.isEmpty {
                _ = try await pool.commandArray(["HDEL", dataKey] + expired)
                removed += expired.count
            }
        }
        return removed
    }

    /// Counters of this instance.
    public func statistics() -> CacheStatistics { counter.snapshot }

    /// Appends to one list shared by every instance, trimmed to the newest `DeadLetter.capacity`.
    public func quarantine(_ letters: [DeadLetter]) async throws {
        guard !letters.isEmpty else { return }
        _ = try await pool.commandArray(["RPUSH", key("dead")] + letters.map(\.recordJSON))
        _ = try await pool.commandArray(["LTRIM", key("dead"), "-\(DeadLetter.capacity)", "-1"])
    }

    /// The dead letters, newest first.
    public func deadLetters(limit: Int) async throws -> [DeadLetter] {
        guard limit > 0 else { return [] }
        let bodies = try await pool.command("LRANGE", key("dead"), "-\(limit)", "-1").array.compactMap(\.string)
        return try bodies.reversed().map(DeadLetter.init(recordJSON:))
    }

    /// How many dead letters are kept.
    public func deadLetterCount() async throws -> Int {
        if case .integer(let count) = try await pool.command("LLEN", key("dead")) { return count }
        return 0
    }

    /// Increments the shared reload generation (other instances reload when they see it change).
    public func publishReload() async throws -> Int {
        if case .integer(let generation) = try await pool.command("INCR", key("reload")) { return generation }
        return 0
    }

    /// Takes from the number's bucket in one script, on Redis's clock.
    public func takeSendTokens(_ count: Int, for number: String, rate: Double) async throws -> Double {
        let reply = try await pool.commandArray([
            "EVAL", RedisScripts.takeSendTokens, "1", key("rate", number), "\(rate)", "\(count)",
        ])
        return reply.string.flatMap(Double.init) ?? 0
    }

    /// The shared reload generation.
    public func reloadGeneration() async throws -> Int {
        Int(try await pool.command("GET", key("reload")).string ?? "0") ?? 0
    }
}
