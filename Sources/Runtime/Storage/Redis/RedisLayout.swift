import Foundation

/// What `RedisLayout.prepare` moved to bring a prefix's keys to the configured layout.
public struct RedisLayoutReport: Sendable, Hashable, CustomStringConvertible {
    /// The partition count the keys had before: 0 for the layout from before partitions.
    public var from = 0
    /// The partition count they have now.
    public var to = 1
    /// Users' data and timer hashes renamed into their partition.
    public var userKeys = 0
    /// Pending timers moved between partitions' due and lease sets.
    public var timers = 0
    /// Unsent outbox messages moved.
    public var messages = 0
    /// Accepted, unhandled inbox events moved.
    public var events = 0
    /// Remembered event ids (dedupe) copied to where the new layout looks for them.
    public var seenIDs = 0

    /// Whether nothing moved (a new prefix).
    public var isEmpty: Bool { userKeys + timers + messages + events + seenIDs == 0 }

    /// One line for the log.
    public var description: String {
        let before = from == 0 ? "the layout without partitions" : "\(from) partitions"
        return "moved Redis keys from \(before) to \(to): \(userKeys) user keys, \(timers) timers, "
            + "\(messages) outbox messages, \(events) inbox events, \(seenIDs) remembered event ids"
    }
}

/// Brings the keys under a prefix to the layout `RedisKeys` describes when a storage opens: keys
/// from before partitions, or from another partition count, move to where they belong now.
///
/// The layout in use is kept in `PREFIX layout` (`partitions`), so opening a prefix that has it
/// costs one read. Several instances starting together let one of them move the keys while the
/// others wait (`PREFIX layout:lock`). Moving keys needs every instance stopped: one still
/// running with the old layout would write where the others no longer look (README, "Running
/// several instances"). It renames keys across slots, so it runs on a single Redis; on a
/// cluster, a prefix keeps the partition count it started with.
enum RedisLayout {
    /// Checks the server, then moves keys if the recorded layout is not `keys`'s; returns what
    /// moved, or nil when nothing had to.
    static func prepare(_ pool: RedisPool, keys: RedisKeys) throws -> RedisLayoutReport? {
        try requireScriptFlags(pool)
        let layout = keys.global("layout")
        while true {
            if try recorded(pool, layout) == keys.partitions { return nil }
            let token = UUID().uuidString
            guard try pool.blockingCommand(["SET", layout + ":lock", token, "NX", "PX", "600000"]) == .status("OK")
            else {
                // Another instance is moving the keys; wait for it to finish.
                usleep(50_000)
                continue
            }
            defer { _ = try? pool.blocking([["EVAL", RedisScripts.release, "1", layout + ":lock", token]]) }
            let before = try recorded(pool, layout)
            if before == keys.partitions { return nil }
            if pool.isCluster { try refuseToMove(pool, keys: keys, recorded: before) }
            var mover = RedisLayoutMover(pool: pool, keys: keys)
            mover.report.from = before ?? 0
            if !pool.isCluster { try mover.moveAll() }
            try pool.blockingCommand(["HSET", layout, "partitions", "\(keys.partitions)", "version", "2"])
            return mover.report.isEmpty ? nil : mover.report
        }
    }

    /// On a cluster, a new prefix takes the configured count; one with keys already is not moved.
    private static func refuseToMove(_ pool: RedisPool, keys: RedisKeys, recorded: Int?) throws {
        if let recorded {
            throw RuntimeError.storage(
                "the keys under '\(keys.prefix)' are in \(recorded) partitions; a Redis Cluster cannot move them "
                    + "to \(keys.partitions) (keys would be renamed across slots): set partitions=\(recorded) in the URL, "
                    + "or move them on a single Redis")
        }
        let own: Set = [keys.global("layout"), keys.global("layout", "lock")]
        if try pool.blockingScan(RedisKeys.glob(keys.prefix) + "*").contains(where: { !own.contains($0) }) {
            throw RuntimeError.storage(
                "keys under '\(keys.prefix)' on the Redis Cluster have no recorded layout (written by an earlier "
                    + "version): move them on a single Redis first, or use another prefix")
        }
    }

    /// The partition count recorded under the prefix, or nil for none.
    private static func recorded(_ pool: RedisPool, _ layout: String) throws -> Int? {
        try pool.blockingCommand(["HGET", layout, "partitions"]).string.flatMap(Int.init)
    }

    /// Redis 7 or later: the scripts declare flags (`#!lua`), which older servers cannot read.
    private static func requireScriptFlags(_ pool: RedisPool) throws {
        let info = try pool.blockingCommand(["INFO", "server"]).string ?? ""
        let version = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("redis_version:") }?
            .dropFirst("redis_version:".count)
        guard let version, let major = version.split(separator: ".").first.flatMap({ Int($0) }) else { return }
        guard major >= 7 else {
            throw RuntimeError.storage("Redis \(version) is too old: RuleBot needs Redis 7.0 or later")
        }
    }

}
