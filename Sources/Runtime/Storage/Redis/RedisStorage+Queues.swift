import Foundation
import RuleEngine
import Synchronization

/// The due timers, the outbox and the inbox: one set of each per partition, read and written
/// on every partition in one pipelined exchange.
extension RedisStorage {
    // MARK: Timers

    /// Leases due timers with a Lua script per partition, so each is handed to one instance.
    /// Each partition is asked for an even share of `limit` first; only partitions that filled
    /// their share are asked again for the rest, so a backlog costs Redis about `limit` claims
    /// per call however many partitions there are, and partitions take turns in the result.
    public func claimDueTimers(now: Double, limit: Int, lease: Double) async throws -> [TimerRecord] {
        guard limit > 0 else { return [] }
        return try await counter.counting {
            let share = (limit + keys.partitions - 1) / keys.partitions
            var claimed = try await claim(from: keys.all, each: share, now: now, lease: lease)
            let remaining = limit - claimed.reduce(0) { $0 + $1.count }
            let full = claimed.indices.filter { claimed[$0].count == share }
            if remaining > 0, share < limit, !full.isEmpty {
                let more = try await claim(from: full.map { keys.all[$0] }, each: remaining, now: now, lease: lease)
                for (index, extra) in zip(full, more) { claimed[index] += extra }
            }
            let taken = Self.takingTurns(claimed)
            // Leases beyond the limit are handed back at once rather than left to lapse.
            let returned = Dictionary(grouping: taken.dropFirst(limit), by: \.0.index)
            if !returned.isEmpty {
                _ = try await runChecked(
                    returned.map { index, items in ["ZREM", keys.partition(index).timersLease] + items.map(\.1) })
            }
            let members = taken.prefix(limit).map(\.1)
            guard !members.isEmpty else { return [] }
            let lookups = members.map { member -> [String] in
                let parts = member.split(separator: "|", maxSplits: 2).map(String.init)
                let user = keys.user(bot: parts[0], userID: parts.count > 1 ? parts[1] : "")
                return ["HGET", user.timers, parts.count > 2 ? parts[2] : ""]
            }
            return try await runChecked(lookups).compactMap { reply in
                try reply.string.map(TimerRecord.init(recordJSON:))
            }
        }
    }

    /// Runs the claim script on each of `partitions` for up to `each` timers, in one exchange;
    /// returns each partition's claimed members, with the partition.
    private func claim(from partitions: [RedisKeys.Partition], each: Int, now: Double, lease: Double) async throws
        -> [[(RedisKeys.Partition, String)]]
    {
        let replies = try await runChecked(
            partitions.map {
                ["EVAL", RedisScripts.claim, "2", $0.timersDue, $0.timersLease, "\(now)", "\(each)", "\(now + lease)"]
            })
        return zip(partitions, replies).map { partition, reply in
            reply.array.compactMap(\.string).map { (partition, $0) }
        }
    }

    /// The earliest due time over every partition.
    public func nextTimerDue() async throws -> Double? {
        let replies = try await runChecked(keys.all.map { ["ZRANGE", $0.timersDue, "0", "0", "WITHSCORES"] })
        return replies.compactMap { $0.array.count == 2 ? $0.array[1].string.flatMap(Double.init) : nil }.min()
    }

    /// Pending timers over every partition.
    public func timerCount() async throws -> Int {
        try await runChecked(keys.all.map { ["ZCARD", $0.timersDue] }).reduce(0) { total, reply in
            if case .integer(let count) = reply { return total + count }
            return total
        }
    }

    // MARK: Outbox

    /// Unsent messages, oldest first over every partition (each user's in their order).
    public func pendingOutbox(limit: Int) async throws -> [OutboundMessage] {
        let perPartition = try await ordered(
            \.outbox, \.outboxOrder, limit: limit, as: OutboundMessage.init(recordJSON:))
        var all: [(message: OutboundMessage, partition: Int, position: Int)] = []
        for (partition, messages) in zip(keys.all, perPartition) {
            remember(outbox: messages.map(\.id), in: partition.index)
            all += messages.enumerated().map { ($1, partition.index, $0) }
        }
        all.sort {
            ($0.message.createdAt, $0.partition, $0.position) < ($1.message.createdAt, $1.partition, $1.position)
        }
        return all.prefix(limit).map(\.message)
    }

    /// Outbox messages created before `cutoff` (left by an instance that died), each handed to
    /// only one caller for `lease` seconds, so survivors never resend the same message twice.
    public func claimStaleOutbox(createdBefore cutoff: Double, limit: Int, lease: Double) async throws
        -> [OutboundMessage]
    {
        guard limit > 0 else { return [] }
        let partitions = keys.all
        let replies = try await runChecked(
            partitions.map {
                [
                    "EVAL", RedisScripts.claimStaleOutbox, "2", $0.outbox, $0.outboxOrder, $0.outboxClaim, "\(cutoff)",
                    "\(limit)", "\(Int(lease * 1000))",
                ]
            })
        let claimed = try zip(partitions, replies).map { partition, reply in
            try reply.array.compactMap { try $0.string.map(OutboundMessage.init(recordJSON:)) }.map { (partition, $0) }
        }
        let taken = Self.takingTurns(claimed)
        for (partition, message) in taken { remember(outbox: [message.id], in: partition.index) }
        let returned = taken.dropFirst(limit).map { $0.0.outboxClaim + $0.1.id }
        // One key per DEL: in a cluster the claims may sit in different slots.
        if !returned.isEmpty { _ = try await runChecked(returned.map { ["DEL", $0] }) }
        return taken.prefix(limit).map(\.1)
    }

    /// Holds the claim on messages this instance is sending.
    public func holdOutbox(ids: [String], lease: Double) async throws {
        guard !ids.isEmpty else { return }
        let milliseconds = "\(Int(lease * 1000))"
        _ = try await runChecked(
            outboxPartitions(of: ids).flatMap { partition, ids in
                ids.map { ["SET", partition.outboxClaim + $0, "1", "PX", milliseconds] }
            })
    }

    /// Removes sent messages from their partitions.
    public func removeOutbox(ids: [String]) async throws {
        guard !ids.isEmpty else { return }
        let commands = outboxPartitions(of: ids).flatMap { partition, ids in
            [["HDEL", partition.outbox] + ids, ["ZREM", partition.outboxOrder] + ids]
        }
        _ = try await runChecked(commands)
    }

    /// Notes which partition holds outbox messages `ids`.
    func remember(outbox ids: [String], in partition: Int) {
        guard keys.partitions > 1 else { return }
        outboxPartitions.withLock { known in
            for id in ids { known.note(id, in: partition) }
        }
    }

    /// `ids` grouped by the partition holding them; ids this instance never saw go to all.
    private func outboxPartitions(of ids: [String]) -> [(RedisKeys.Partition, [String])] {
        guard keys.partitions > 1 else { return [(keys.partition(0), ids)] }
        var grouped: [Int: [String]] = [:]
        var unknown: [String] = []
        outboxPartitions.withLock { known in
            for id in ids {
                if let partition = known.partition(of: id) {
                    grouped[partition, default: []].append(id)
                } else {
                    unknown.append(id)
                }
            }
        }
        if !unknown.isEmpty {
            for index in 0..<keys.partitions { grouped[index, default: []] += unknown }
        }
        return grouped.sorted { $0.key < $1.key }.map { (keys.partition($0.key), $0.value) }
    }

    // MARK: Inbox

    /// Stores new events in their users' partitions, refusing ids seen within the window: one
    /// Lua script per partition, all in one exchange.
    public func accept(_ events: [InboxEntry], rememberUntil: Double) async throws -> [InboxEntry] {
        guard !events.isEmpty else { return [] }
        return try await counter.counting {
            let byPartition = Dictionary(grouping: events) { keys.partitionIndex(bot: $0.bot, userID: $0.event.userID) }
            let until = String(Int(rememberUntil * 1000))
            let arrival = String(Date().timeIntervalSince1970)
            let scripts = byPartition.map { index, entries -> [String] in
                let partition = keys.partition(index)
                return ["EVAL", RedisScripts.accept, "\(entries.count + 2)", partition.inbox, partition.inboxOrder]
                    + entries.map { partition.seen + $0.id } + [until, arrival]
                    + entries.flatMap { [$0.id, $0.recordJSON, Self.member($0.bot, $0.event.userID)] }
            }
            let accepted = Set(try await runChecked(scripts).flatMap { $0.array.compactMap(\.string) })
            return events.filter { accepted.contains($0.id) }
        }
    }

    /// Events accepted but not yet committed, each partition's oldest first, partitions taking turns.
    public func pendingInbox(limit: Int) async throws -> [InboxEntry] {
        let perPartition = try await ordered(\.inbox, \.inboxOrder, limit: limit, as: InboxEntry.init(recordJSON:))
        return Array(Self.takingTurns(perPartition).prefix(limit))
    }

    // MARK: Helpers

    /// The first `limit` items of each partition's hash, in the order its companion sorted set gives.
    private func ordered<T>(
        _ hash: KeyPath<RedisKeys.Partition, String>, _ order: KeyPath<RedisKeys.Partition, String>, limit: Int,
        as read: (String) throws -> T
    ) async throws -> [[T]] {
        let partitions = keys.all
        guard limit > 0 else { return partitions.map { _ in [] } }
        // One script up to what Lua's unpack takes; an operator's larger reads go in two steps.
        if limit <= 1000 {
            let replies = try await runChecked(
                partitions.map {
                    ["EVAL", RedisScripts.ordered, "2", $0[keyPath: hash], $0[keyPath: order], "\(limit)"]
                })
            return try replies.map { try $0.array.compactMap { try $0.string.map(read) } }
        }
        var result: [[T]] = []
        for partition in partitions {
            let ids = try await pool.command("ZRANGE", partition[keyPath: order], "0", "\(limit - 1)").array
                .compactMap(\.string)
            let chunks = stride(from: 0, to: ids.count, by: 1000).map {
                ["HMGET", partition[keyPath: hash]] + ids[$0..<min($0 + 1000, ids.count)]
            }
            result.append(try await runChecked(chunks).flatMap(\.array).compactMap { try $0.string.map(read) })
        }
        return result
    }

    /// Runs `commands` in one exchange; an error reply from any of them is thrown.
    func runChecked(_ commands: [[String]]) async throws -> [RedisReply] {
        try await pool.run(commands).map { try $0.checked() }
    }

    /// The lists' items one from each in turn: the first of every list, then the second, ….
    static func takingTurns<T>(_ lists: [[T]]) -> [T] {
        var merged: [T] = []
        merged.reserveCapacity(lists.reduce(0) { $0 + $1.count })
        let longest = lists.map(\.count).max() ?? 0
        for position in 0..<longest {
            for list in lists where position < list.count { merged.append(list[position]) }
        }
        return merged
    }
}
