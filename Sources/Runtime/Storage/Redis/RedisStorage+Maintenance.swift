import Foundation
import RuleEngine

/// What operators and reloads do: listing and migrating users, purging, dead letters, the reload
/// generation and the shared send-rate buckets.
extension RedisStorage {
    /// The keys matching a `SCAN` pattern, as `redis-cli --scan --pattern` lists them, on every
    /// server holding data (each primary of a cluster).
    public func scanKeys(_ pattern: String) async throws -> [String] {
        try await pool.scan(pattern)
    }

    /// The keys of `kind` (`data` or `timers`) of `bot` (every bot when nil) in every partition,
    /// with the bot and user each belongs to.
    private func userKeys(bot: String?, kind: String) async throws -> [(key: String, bot: String, user: String)] {
        let pattern = RedisKeys.glob(keys.prefix) + "{*}:" + (bot.map(RedisKeys.glob) ?? "*") + ":\(kind):*"
        return try await pool.scan(pattern).compactMap { key in
            guard let (_, rest) = keys.untag(key), let (owner, user) = RedisKeys.owner(of: rest, kind: kind),
                bot == nil || owner == bot
            else { return nil }
            return (key, owner, user)
        }
    }

    /// Users with data or timers.
    public func users(bot: String, limit: Int) async throws -> [String] {
        var users = Set<String>()
        for kind in ["data", "timers"] {
            for found in try await userKeys(bot: bot, kind: kind) { users.insert(found.user) }
        }
        return Array(users.sorted().prefix(limit))
    }

    /// Moves users out of removed states and cancels removed timers.
    public func migrate(bot: String, keepingStates states: Set<String>, keepingTimers timers: Set<String>) async throws
        -> MigrationCounts
    {
        var counts = MigrationCounts(users: 0, timers: 0)
        for (dataKey, _, _) in try await userKeys(bot: bot, kind: "data") {
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
        for (timersKey, _, user) in try await userKeys(bot: bot, kind: "timers") {
            let partition = keys.user(bot: bot, userID: user).partition
            for name in try await pool.command("HKEYS", timersKey).array.compactMap(\.string)
            where !timers.contains(name) {
                let member = Self.member(bot, user, name)
                _ = try await runChecked([
                    ["HDEL", timersKey, name], ["ZREM", partition.timersDue, member],
                    ["ZREM", partition.timersLease, member],
                ])
                counts.timers += 1
            }
        }
        return counts
    }

    /// Deletes expired values (dedupe ids expire by themselves).
    public func purgeExpired(now: Double) async throws -> Int {
        var removed = 0
        for (dataKey, _, _) in try await userKeys(bot: nil, kind: "data") {
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
        _ = try await pool.commandArray(["RPUSH", keys.global("dead")] + letters.map(\.recordJSON))
        _ = try await pool.commandArray(["LTRIM", keys.global("dead"), "-\(DeadLetter.capacity)", "-1"])
    }

    /// The dead letters, newest first.
    public func deadLetters(limit: Int) async throws -> [DeadLetter] {
        guard limit > 0 else { return [] }
        let bodies = try await pool.command("LRANGE", keys.global("dead"), "-\(limit)", "-1").array
            .compactMap(\.string)
        return try bodies.reversed().map(DeadLetter.init(recordJSON:))
    }

    /// How many dead letters are kept.
    public func deadLetterCount() async throws -> Int {
        if case .integer(let count) = try await pool.command("LLEN", keys.global("dead")) { return count }
        return 0
    }

    /// Increments the shared reload generation (other instances reload when they see it change).
    public func publishReload() async throws -> Int {
        if case .integer(let generation) = try await pool.command("INCR", keys.global("reload")) { return generation }
        return 0
    }

    /// Takes from the number's bucket in one script, on Redis's clock. Each business number's
    /// bucket is its own key, so numbers spread over a cluster's slots by themselves.
    public func takeSendTokens(_ count: Int, for number: String, rate: Double) async throws -> Double {
        let reply = try await pool.commandArray([
            "EVAL", RedisScripts.takeSendTokens, "1", keys.global("rate", number), "\(rate)", "\(count)",
        ])
        return reply.string.flatMap(Double.init) ?? 0
    }

    /// The shared reload generation.
    public func reloadGeneration() async throws -> Int {
        Int(try await pool.command("GET", keys.global("reload")).string ?? "0") ?? 0
    }
}
