import Foundation

/// Moves every key under a prefix to where `RedisKeys` puts it now: from the layout without
/// partitions, or from another partition count. Run by `RedisLayout.prepare` with the layout's
/// lock held and every instance stopped.
///
/// Each move writes the new place before removing the old, in one pipeline, so a crash part way
/// leaves some items in both places and the next start moves them again (every write is by id,
/// so doing it twice is harmless): nothing is lost, nothing doubled.
struct RedisLayoutMover {
    let pool: RedisPool
    let keys: RedisKeys
    var report = RedisLayoutReport()
    private var pending: [[String]] = []

    init(pool: RedisPool, keys: RedisKeys) {
        self.pool = pool
        self.keys = keys
        report.to = keys.partitions
    }

    /// Moves everything, then sends what is still queued.
    mutating func moveAll() throws {
        var seen: [String: [String]] = [:]
        for key in try pool.blockingScan(RedisKeys.glob(keys.prefix) + "*") {
            let rest = keys.untag(key)?.rest ?? String(key.dropFirst(keys.prefix.count))
            let tag = String(key.dropLast(rest.count))
            switch rest {
            case "timers:due": try moveTimers(key, to: \.timersDue, counted: true)
            case "timers:lease": try moveTimers(key, to: \.timersLease, counted: false)
            case "outbox":
                try moveQueue(key, order: tag + "outbox:order", to: \.outbox, \.outboxOrder, counting: \.messages) {
                    let message = try OutboundMessage(recordJSON: $0)
                    return (message.bot, message.to)
                }
            case "inbox":
                try moveQueue(key, order: tag + "inbox:order", to: \.inbox, \.inboxOrder, counting: \.events) {
                    let entry = try InboxEntry(recordJSON: $0)
                    return (entry.bot, entry.event.userID)
                }
            default:
                // A user's data first: a bot may be named `lock` or `seen`.
                if try moveUserKey(key, rest: rest) { continue }
                if rest.hasPrefix("seen:") {
                    seen[String(rest.dropFirst("seen:".count)), default: []].append(key)
                } else if rest.hasPrefix("lock:") || rest.hasPrefix("outbox:claim:") {
                    // Leases of stopped instances: nothing to keep.
                    try queue(["DEL", key])
                }
            }
        }
        let ids = Array(seen)
        for start in stride(from: 0, to: ids.count, by: 1000) {
            try copySeen(ids[start..<min(start + 1000, ids.count)])
        }
        try flush()
    }

    /// A user's data or timers hash, renamed into the user's partition; returns whether `rest`
    /// names one (`BOT:data:USER` or `BOT:timers:USER`).
    private mutating func moveUserKey(_ key: String, rest: String) throws -> Bool {
        for kind in ["data", "timers"] {
            guard let (bot, user) = RedisKeys.owner(of: rest, kind: kind) else { continue }
            let userKeys = keys.user(bot: bot, userID: user)
            let target = kind == "data" ? userKeys.data : userKeys.timers
            if target != key {
                try queue(["RENAME", key, target])
                report.userKeys += 1
            }
            return true
        }
        return false
    }

    /// The members (`BOT|USER|NAME`) of a due or lease set, each into its user's partition.
    private mutating func moveTimers(
        _ key: String, to path: KeyPath<RedisKeys.Partition, String>, counted: Bool
    ) throws {
        let all = try pool.blockingCommand(["ZRANGE", key, "0", "-1", "WITHSCORES"]).array
        var byTarget: [String: [String]] = [:]
        var moved: [String] = []
        for index in stride(from: 0, to: all.count - 1, by: 2) {
            guard let member = all[index].string, let score = all[index + 1].string else { continue }
            let parts = member.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            let target = keys.user(bot: String(parts[0]), userID: String(parts[1])).partition[keyPath: path]
            guard target != key else { continue }
            byTarget[target, default: []] += [score, member]
            moved.append(member)
        }
        for (target, pairs) in byTarget {
            for start in stride(from: 0, to: pairs.count, by: 2000) {
                try queue(["ZADD", target] + pairs[start..<min(start + 2000, pairs.count)])
            }
        }
        for start in stride(from: 0, to: moved.count, by: 1000) {
            try queue(["ZREM", key] + moved[start..<min(start + 1000, moved.count)])
        }
        if counted { report.timers += moved.count }
    }

    /// A hash of records with its `:order` sorted set (the outbox, the inbox), each record into
    /// the partition of the user `owner` reads from it, keeping its place in the order.
    private mutating func moveQueue(
        _ hash: String, order: String, to hashPath: KeyPath<RedisKeys.Partition, String>,
        _ orderPath: KeyPath<RedisKeys.Partition, String>, counting counter: WritableKeyPath<RedisLayoutReport, Int>,
        owner: (String) throws -> (bot: String, user: String)
    ) throws {
        let all = try pool.blockingCommand(["HGETALL", hash]).array
        let ranked = try pool.blockingCommand(["ZRANGE", order, "0", "-1", "WITHSCORES"]).array
        var scores: [String: String] = [:]
        for index in stride(from: 0, to: ranked.count - 1, by: 2) {
            if let id = ranked[index].string { scores[id] = ranked[index + 1].string }
        }
        for index in stride(from: 0, to: all.count - 1, by: 2) {
            // A record that cannot be read stays where it is, as it would have anyway.
            guard let id = all[index].string, let body = all[index + 1].string, let (bot, user) = try? owner(body)
            else { continue }
            let target = keys.partition(keys.partitionIndex(bot: bot, userID: user))
            guard target[keyPath: hashPath] != hash else { continue }
            let score = scores[id] ?? String(Date().timeIntervalSince1970)
            try queue(["HSET", target[keyPath: hashPath], id, body])
            try queue(["ZADD", target[keyPath: orderPath], score, id])
            try queue(["HDEL", hash, id])
            try queue(["ZREM", order, id])
            report[keyPath: counter] += 1
        }
    }

    /// Remembered event ids, each moved with its expiry to its user's partition. An id
    /// remembered before the keys named their owner (`1` instead of `BOT|USER`) does not say
    /// which partition its event would come to, so it is copied to every partition, each of
    /// which must refuse it.
    private mutating func copySeen(_ found: ArraySlice<(key: String, value: [String])>) throws {
        let replies = try pool.blocking(found.flatMap { [["PTTL", $0.value[0]], ["GET", $0.value[0]]] })
        for (offset, (id, existing)) in found.enumerated() {
            guard case .integer(let milliseconds) = replies[offset * 2], milliseconds != -2 else { continue }
            let owner = replies[offset * 2 + 1].string ?? "1"
            let parts = owner.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
            let targets =
                parts.count == 2
                ? [keys.user(bot: String(parts[0]), userID: String(parts[1])).partition.seen + id]
                : keys.all.map { $0.seen + id }
            for target in targets where !existing.contains(target) {
                try queue(
                    milliseconds > 0
                        ? ["SET", target, owner, "NX", "PX", "\(milliseconds)"] : ["SET", target, owner, "NX"])
            }
            for key in existing where !targets.contains(key) { try queue(["DEL", key]) }
            report.seenIDs += 1
        }
    }

    /// Queues `command`, sending the queue once it is long.
    private mutating func queue(_ command: [String]) throws {
        pending.append(command)
        if pending.count >= 1000 { try flush() }
    }

    /// Sends what is queued; an error reply stops the move (the next start moves the rest).
    private mutating func flush() throws {
        guard !pending.isEmpty else { return }
        let commands = pending
        pending = []
        for reply in try pool.blocking(commands) { try reply.checked() }
    }
}
