/// The names of RuleBot's keys in Redis, partitioned so that a Redis Cluster can spread them.
///
/// A Lua script's keys must all live in one hash slot of a cluster, and a commit writes a
/// user's data and timers together with the due timers, the outbox and the inbox. So users are
/// spread over `partitions` partitions by a stable hash of bot and user, and every key a user's
/// event touches carries its partition's hash tag, `{N}` (or `{N.k}`, see `tag(_:of:)`):
///
/// - the user's keys: `PREFIX{N}:BOT:data:USER`, `PREFIX{N}:BOT:timers:USER`,
///   `PREFIX{N}:lock:BOT:USER`;
/// - the partition's queues: `PREFIX{N}:timers:due`, `PREFIX{N}:timers:lease`,
///   `PREFIX{N}:outbox` (+ `:order`, `:claim:ID`), `PREFIX{N}:inbox` (+ `:order`),
///   `PREFIX{N}:seen:ID`.
///
/// The rest is global, each a key of its own: `PREFIX layout`, `PREFIX reload`,
/// `PREFIX dead`, `PREFIX rate:NUMBER` (one send-rate bucket per business number).
struct RedisKeys: Sendable {
    /// What every key starts with (`rulebot:` unless the URL says otherwise).
    let prefix: String
    /// How many partitions users are spread over.
    let partitions: Int
    /// Every partition's keys, by index.
    let all: [Partition]

    /// The layout of `partitions` partitions under `prefix`.
    init(prefix: String, partitions: Int) {
        self.prefix = prefix
        self.partitions = partitions
        all = (0..<partitions).map { index in
            let tag = "\(prefix){\(Self.tag(index, of: partitions))}:"
            return Partition(
                index: index, tag: tag, timersDue: tag + "timers:due", timersLease: tag + "timers:lease",
                outbox: tag + "outbox", outboxOrder: tag + "outbox:order", outboxClaim: tag + "outbox:claim:",
                inbox: tag + "inbox", inboxOrder: tag + "inbox:order", seen: tag + "seen:")
        }
    }

    /// The largest partition count accepted: more than a cluster has primaries many times over.
    static let maximumPartitions = 1024

    /// The keys of one partition's shared structures.
    struct Partition: Sendable {
        let index: Int
        /// What every key of the partition starts with: `PREFIX{TAG}:`.
        let tag: String
        let timersDue: String
        let timersLease: String
        let outbox: String
        let outboxOrder: String
        /// Followed by a message id: the claim a sender holds on the message.
        let outboxClaim: String
        let inbox: String
        let inboxOrder: String
        /// Followed by an inbox entry's id: the id was accepted within the dedupe window.
        let seen: String
    }

    /// The keys of one user.
    struct User: Sendable {
        let partition: Partition
        let data: String
        let timers: String
        let lock: String
    }

    /// A global key: `PREFIX` followed by `parts` joined by colons.
    func global(_ parts: String...) -> String { prefix + parts.joined(separator: ":") }

    /// The partition `bot`'s `userID` belongs to: FNV-1a of both, the same in every process.
    func partitionIndex(bot: String, userID: String) -> Int {
        Self.partitionIndex(bot: bot, userID: userID, of: partitions)
    }

    /// The partition `bot`'s `userID` belongs to when there are `count` partitions.
    static func partitionIndex(bot: String, userID: String, of count: Int) -> Int {
        guard count > 1 else { return 0 }
        let prime: UInt64 = 0x0000_0100_0000_01b3
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bot.utf8 { hash = (hash ^ UInt64(byte)) &* prime }
        hash = (hash ^ 0x7C) &* prime
        for byte in userID.utf8 { hash = (hash ^ UInt64(byte)) &* prime }
        return Int(hash % UInt64(count))
    }

    /// Partition `index`'s keys.
    func partition(_ index: Int) -> Partition { all[index] }

    /// The hash tag of partition `index` of `count`: `index` itself, or the first `index.k`
    /// (k = 1, 2, …) whose slot falls in the `index`-th of `count` equal slot ranges. So the
    /// partitions sit at evenly spaced slots, and a cluster whose primaries hold equal slot
    /// ranges (as `redis-cli --cluster create` makes them) gets an equal share of them each.
    static func tag(_ index: Int, of count: Int) -> String {
        guard count > 1 else { return "\(index)" }
        let range = (index * RedisSlot.count / count)..<((index + 1) * RedisSlot.count / count)
        if range.contains(RedisSlot.of("\(index)")) { return "\(index)" }
        var attempt = 1
        while !range.contains(RedisSlot.of("\(index).\(attempt)")) { attempt += 1 }
        return "\(index).\(attempt)"
    }

    /// The keys of `bot`'s `userID`, all in the user's partition.
    func user(bot: String, userID: String) -> User {
        let partition = partition(partitionIndex(bot: bot, userID: userID))
        let tag = partition.tag
        return User(
            partition: partition, data: tag + "\(bot):data:\(userID)", timers: tag + "\(bot):timers:\(userID)",
            lock: tag + "lock:\(bot):\(userID)")
    }

    /// The partition of a tagged key (`PREFIX{N}:…` or `PREFIX{N.k}:…`) and the rest of its
    /// name, or nil for a key without a partition tag (a global key, or one from before partitions).
    func untag(_ key: String) -> (partition: Int, rest: String)? {
        guard key.hasPrefix(prefix + "{") else { return nil }
        let afterBrace = key.dropFirst(prefix.count + 1)
        guard let close = afterBrace.firstIndex(of: "}"),
            let index = Int(afterBrace[..<close].prefix { $0 != "." })
        else { return nil }
        let rest = afterBrace[afterBrace.index(after: close)...]
        guard rest.first == ":" else { return nil }
        return (index, String(rest.dropFirst()))
    }
}

extension RedisKeys {
    /// `literal` with the characters `SCAN MATCH` treats as a pattern escaped.
    static func glob(_ literal: String) -> String {
        var escaped = ""
        for character in literal {
            if "*?[]\\^".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    /// The bot and user of a user key's name without prefix and tag (`BOT:KIND:USER`).
    static func owner(of rest: String, kind: String) -> (bot: String, user: String)? {
        let parts = rest.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1] == kind else { return nil }
        return (String(parts[0]), String(parts[2]))
    }
}
