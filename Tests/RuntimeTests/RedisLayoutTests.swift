import Foundation
import RuleEngine
import Testing

@testable import Runtime

/// The partitioned key layout: users spread over partitions, keys from before partitions or
/// from another partition count moved on open, and the URL's options checked.
@Suite(.enabled(if: RedisTestServer.url != nil, "REDIS_URL is not set"))
struct RedisLayoutTests {
    static let bot = "bot"

    /// A raw connection, to write keys as an earlier version left them.
    func connection() throws -> RedisConnection {
        try RedisConnection(RedisEndpoint(url: try #require(RedisTestServer.url)))
    }

    func message(_ id: String, to user: String, at createdAt: Double) -> OutboundMessage {
        OutboundMessage(id: id, bot: Self.bot, to: user, body: .text("reply \(id)"), createdAt: createdAt)
    }

    /// Every user's keys carry one partition's tag, and users land in every partition.
    @Test func usersSpreadOverEveryPartitionEachWithItsKeysInOneSlot() async throws {
        let base = try RedisTestServer.isolatedURL()
        let storage = try RedisStorage(url: base + "&partitions=8")
        for index in 0..<200 {
            var commit = UserCommit(bot: Self.bot, userID: "u\(index)")
            commit.writes[StorageKey(.user, "n")] = StoredValue(.int(index))
            commit.timers["t"] = .start(
                TimerRecord(
                    bot: Self.bot, userID: "u\(index)", name: "t", startedAt: 0, dueAt: Double(index),
                    generation: "g\(index)"
                ))
            try await storage.commit(commit)
        }
        let prefix = storage.prefix
        var tags = Set<Int>()
        for key in try await storage.scanKeys(RedisKeys.glob(prefix) + "{*}:\(Self.bot):data:*") {
            let (partition, rest) = try #require(storage.keys.untag(key))
            let user = String(rest.dropFirst("\(Self.bot):data:".count))
            #expect(partition == storage.keys.partitionIndex(bot: Self.bot, userID: user))
            let timers = storage.keys.partition(partition).tag + "\(Self.bot):timers:\(user)"
            #expect(try await storage.pool.commandArray(["EXISTS", timers]) == .integer(1))
            tags.insert(partition)
        }
        #expect(tags == Set(0..<8))
        #expect(try await storage.timerCount() == 200)
        #expect(try await storage.nextTimerDue() == 0)
        #expect(try await storage.users(bot: Self.bot, limit: 1000).count == 200)
    }

    /// The partition of a user never changes between versions: it decides where their data is.
    @Test func thePartitionOfAUserIsFixed() {
        #expect(RedisKeys.partitionIndex(bot: "expiry", userID: "346", of: 16) == 5)
        #expect(RedisKeys.partitionIndex(bot: "json_cache", userID: "5511999990000", of: 16) == 13)
        #expect(RedisKeys.partitionIndex(bot: "anything", userID: "at all", of: 1) == 0)
    }

    /// Timers claimed with a small limit from many partitions: each handed out once, none lost,
    /// and the leases past the limit handed back at once.
    @Test func claimingAcrossPartitionsHandsOutEachTimerOnce() async throws {
        let storage = try RedisStorage(url: try RedisTestServer.isolatedURL() + "&partitions=5")
        for index in 0..<40 {
            var commit = UserCommit(bot: Self.bot, userID: "u\(index)")
            commit.timers["t"] = .start(
                TimerRecord(
                    bot: Self.bot, userID: "u\(index)", name: "t", startedAt: 0, dueAt: 10, generation: "g\(index)"))
            try await storage.commit(commit)
        }
        var claimed: [String] = []
        while true {
            let batch = try await storage.claimDueTimers(now: 20, limit: 7, lease: 60)
            if batch.isEmpty { break }
            #expect(batch.count <= 7)
            claimed += batch.map(\.generation)
        }
        #expect(claimed.count == 40)
        #expect(Set(claimed) == Set((0..<40).map { "g\($0)" }))
    }

    /// Messages left by a dead instance, claimed a few at a time by two survivors from every
    /// partition and sent: each once, and the claims past a caller's limit handed back at once
    /// (else they would wait out their lease).
    @Test func staleMessagesAreClaimedOnceFromEveryPartition() async throws {
        let url = try RedisTestServer.isolatedURL() + "&partitions=4"
        let survivors = [try RedisStorage(url: url), try RedisStorage(url: url)]
        for index in 0..<20 {
            var commit = UserCommit(bot: Self.bot, userID: "u\(index)")
            commit.outbox = [message("m\(index)", to: "u\(index)", at: 1)]
            try await survivors[0].commit(commit)
        }
        var claimed: [String] = []
        var turn = 0
        var emptyInARow = 0
        while emptyInARow < 2 {
            let survivor = survivors[turn % 2]
            let batch = try await survivor.claimStaleOutbox(createdBefore: 10, limit: 3, lease: 60)
            #expect(batch.count <= 3)
            claimed += batch.map(\.id)
            // Sent, as a survivor does.
            try await survivor.removeOutbox(ids: batch.map(\.id))
            emptyInARow = batch.isEmpty ? emptyInARow + 1 : 0
            turn += 1
        }
        #expect(claimed.sorted() == (0..<20).map { "m\($0)" }.sorted())
    }

    /// Due timers all in one partition still come a full `limit` at a time: the partitions
    /// that filled their share are asked again for the rest.
    @Test func aBacklogInOnePartitionIsClaimedAFullLimitAtATime() async throws {
        let storage = try RedisStorage(url: try RedisTestServer.isolatedURL() + "&partitions=5")
        let users = (0..<500).map { "u\($0)" }.filter { storage.keys.partitionIndex(bot: Self.bot, userID: $0) == 2 }
        for user in users.prefix(30) {
            var commit = UserCommit(bot: Self.bot, userID: user)
            commit.timers["t"] = .start(
                TimerRecord(bot: Self.bot, userID: user, name: "t", startedAt: 0, dueAt: 10, generation: user))
            try await storage.commit(commit)
        }
        #expect(try await storage.claimDueTimers(now: 20, limit: 10, lease: 60).count == 10)
        #expect(try await storage.claimDueTimers(now: 20, limit: 25, lease: 60).count == 20)
    }

    /// Keys written the way versions before partitions wrote them are moved on open.
    @Test func keysFromBeforePartitionsMoveIntoTheirPartitions() async throws {
        let url = try RedisTestServer.isolatedURL()
        let prefix = String(try #require(url.split(separator: "=").last))
        let raw = try connection()
        let timer = TimerRecord(bot: Self.bot, userID: "u2", name: "t", startedAt: 0, dueAt: 100, generation: "g")
        let pending = message("m1", to: "u3", at: 5)
        let waiting = InboxEntry(bot: Self.bot, event: .message("hi", from: "u4", id: "wamid.new"))
        let legacy: [[String]] = [
            ["HSET", prefix + "bot:data:u1", "user:name", StoredValue("Ana").recordJSON],
            ["HSET", prefix + "bot:timers:u2", "t", timer.recordJSON],
            ["ZADD", prefix + "timers:due", "100", "bot|u2|t"],
            ["HSET", prefix + "outbox", "m1", pending.recordJSON], ["ZADD", prefix + "outbox:order", "5", "m1"],
            ["HSET", prefix + "inbox", waiting.id, waiting.recordJSON],
            ["ZADD", prefix + "inbox:order", "1", waiting.id],
            ["SET", prefix + "seen:bot:wamid.old", "1", "PX", "600000"],
            ["SET", prefix + "lock:bot:u1", "someone", "PX", "600000"], ["SET", prefix + "reload", "7"],
            // A bot may be named like one of the layout's own keys.
            ["HSET", prefix + "lock:data:u5", "user:name", StoredValue("Bea").recordJSON],
        ]
        for reply in try raw.pipeline(legacy) { #expect(reply != .null && RedisLayoutTests.isError(reply) == false) }

        let storage = try RedisStorage(url: url + "&partitions=4")
        let report = try #require(storage.layoutMigration)
        #expect(report == RedisLayoutReport(from: 0, to: 4, userKeys: 3, timers: 1, messages: 1, events: 1, seenIDs: 1))
        #expect(
            try await storage.load(bot: "lock", userID: "u5", now: 0).values[StorageKey(.user, "name")]?.value == "Bea")
        let user = try await storage.load(bot: Self.bot, userID: "u1", now: 0)
        #expect(user.values[StorageKey(.user, "name")]?.value == "Ana")
        #expect(try await storage.load(bot: Self.bot, userID: "u2", now: 0).timers["t"] == timer)
        #expect(try await storage.claimDueTimers(now: 200, limit: 10, lease: 30) == [timer])
        #expect(try await storage.pendingOutbox(limit: 10) == [pending])
        #expect(try await storage.pendingInbox(limit: 10) == [waiting])
        #expect(try await storage.reloadGeneration() == 7)
        let handledBefore = InboxEntry(bot: Self.bot, event: .message("again", from: "u9", id: "wamid.old"))
        #expect(
            try await storage.accept([handledBefore], rememberUntil: 1e12).isEmpty,
            "an id handled before is still refused")
        let copies = try await storage.scanKeys(RedisKeys.glob(prefix) + "{*}:seen:bot:wamid.old")
        #expect(copies.count == 4, "an id that does not name its user is refused by every partition")
        // Nothing is left outside the partitions but the global keys.
        let untagged = try await storage.scanKeys(RedisKeys.glob(prefix) + "*").filter { storage.keys.untag($0) == nil }
        #expect(Set(untagged) == [prefix + "layout", prefix + "reload"])
        #expect(try RedisStorage(url: url + "&partitions=4").layoutMigration == nil, "the second open moves nothing")
    }

    /// Changing the partition count moves every user, timer, message and remembered id.
    @Test func changingThePartitionCountKeepsEverything() async throws {
        let url = try RedisTestServer.isolatedURL()
        var storage = try RedisStorage(url: url)
        var messages: [OutboundMessage] = []
        for index in 0..<30 {
            var commit = UserCommit(bot: Self.bot, userID: "u\(index)")
            commit.writes[StorageKey(.user, "n")] = StoredValue(.int(index))
            commit.timers["t"] = .start(
                TimerRecord(
                    bot: Self.bot, userID: "u\(index)", name: "t", startedAt: 0, dueAt: 10, generation: "g\(index)"))
            let sent = message("m\(index)", to: "u\(index)", at: Double(index))
            commit.outbox = [sent]
            messages.append(sent)
            try await storage.commit(commit)
        }
        let entries = (0..<5).map {
            InboxEntry(bot: Self.bot, event: .message("hi", from: "v\($0)", id: "wamid.\($0)"))
        }
        #expect(try await storage.accept(entries, rememberUntil: 1e12).count == 5)

        for partitions in [5, 2] {
            storage = try RedisStorage(url: url + "&partitions=\(partitions)")
            let report = try #require(storage.layoutMigration)
            #expect(report.to == partitions && report.seenIDs == 5)
            for index in 0..<30 {
                let user = try await storage.load(bot: Self.bot, userID: "u\(index)", now: 0)
                #expect(user.values[StorageKey(.user, "n")]?.value == .int(index))
                #expect(user.timers["t"]?.generation == "g\(index)")
            }
            #expect(try await storage.timerCount() == 30)
            #expect(try await storage.pendingOutbox(limit: 100) == messages, "oldest first over every partition")
            #expect(Set(try await storage.pendingInbox(limit: 100)) == Set(entries))
            #expect(try await storage.accept(entries, rememberUntil: 1e12).isEmpty, "accepted ids are still refused")
            let seen = try await storage.scanKeys(RedisKeys.glob(storage.prefix) + "{*}:seen:*")
            #expect(seen.count == entries.count, "each id moved to its user's partition, not copied to all: \(seen)")
        }
        try await storage.removeOutbox(ids: messages.map(\.id))
        #expect(try await storage.pendingOutbox(limit: 100).isEmpty)
    }

    /// Instances started together with a new partition count: one moves the keys, once.
    @Test func instancesStartingTogetherMoveTheKeysOnce() async throws {
        let url = try RedisTestServer.isolatedURL()
        let first = try RedisStorage(url: url)
        for index in 0..<20 {
            var commit = UserCommit(bot: Self.bot, userID: "u\(index)")
            commit.writes[StorageKey(.user, "n")] = StoredValue(.int(index))
            try await first.commit(commit)
        }
        // Opening blocks its thread (and waits on the layout lock), as serve's start-up does: on
        // threads of their own, not the tests' shared cooperative ones.
        let reports = try await withThrowingTaskGroup(of: RedisLayoutReport?.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    try await withCheckedThrowingContinuation { continuation in
                        Thread {
                            continuation.resume(
                                with: Result { try RedisStorage(url: url + "&partitions=3").layoutMigration })
                        }.start()
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(reports.compactMap(\.self).count == 1)
        #expect(reports.compactMap(\.self).first?.userKeys ?? 0 > 0)
        let storage = try RedisStorage(url: url + "&partitions=3")
        #expect(try await storage.users(bot: Self.bot, limit: 100).count == 20)
    }

    @Test(arguments: ["partitions=0", "partitions=many", "partitions=5000", "prefix=a{b}:"])
    func badLayoutOptionsAreRefusedClearly(option: String) throws {
        let base = try #require(RedisTestServer.url)
        let url = base + (base.contains("?") ? "&" : "?") + option
        #expect {
            _ = try RedisStorage(url: url)
        } throws: { error in
            let text = "\(error)"
            return text.contains("partitions") || text.contains("may not contain { or }")
        }
    }

    static func isError(_ reply: RedisReply) -> Bool {
        if case .error = reply { return true }
        return false
    }
}

/// On a Redis Cluster (`.ci/run` starts three primaries), commands go to the primary owning
/// their slot, and the cluster refuses a script that reaches outside its slot: were one of ours
/// to, the conformance suite would fail there.
@Suite(.enabled(if: RedisTestServer.clusterURL != nil, "REDIS_CLUSTER_URL is not set"))
struct RedisClusterTests {
    @Test func aScriptReachingOutsideItsSlotIsRefused() async throws {
        let storage = try RedisStorage(url: try RedisTestServer.isolatedClusterURL(partitions: 2))
        let script = "#!lua\nreturn redis.call('GET', KEYS[1]) or redis.call('GET', ARGV[1]) or 'none'"
        let replies = try await storage.pool.run([
            ["EVAL", script, "1", "{0}:a", "{0}:b"], ["EVAL", script, "1", "{0}:a", "{1}:b"],
        ])
        #expect(replies[0] == .string("none"))
        guard case .error(let message) = replies[1] else {
            Issue.record("the cluster allowed a script to leave its slot: \(replies[1])")
            return
        }
        #expect(message.contains("slot") || message.contains("non local key"))
    }

    /// Users' partitions land on different primaries, and every key is on the primary that owns
    /// its slot (a key on the wrong one could not have been written: the cluster redirects).
    @Test func partitionsSpreadOverThePrimaries() async throws {
        let storage = try RedisStorage(url: try RedisTestServer.isolatedClusterURL(partitions: 16))
        #expect(storage.pool.isCluster)
        let primaries = storage.pool.primaries
        try #require(primaries.count > 1, "the test cluster has one primary: nothing to spread over")
        for index in 0..<64 {
            var commit = UserCommit(bot: "bot", userID: "u\(index)")
            commit.writes[StorageKey(.user, "n")] = StoredValue(.int(index))
            commit.outbox = [
                OutboundMessage(
                    id: "m\(index)", bot: "bot", to: "u\(index)", body: .text("hi"), createdAt: Double(index))
            ]
            try await storage.commit(commit)
        }
        var holding = 0
        for address in primaries {
            let reply = try await storage.pool.run(
                [["SCAN", "0", "MATCH", RedisKeys.glob(storage.prefix) + "*", "COUNT", "100000"]], on: address)[0]
            if !(reply.array.last?.array.isEmpty ?? true) { holding += 1 }
        }
        #expect(holding == primaries.count, "every primary holds some partitions")
        #expect(try await storage.users(bot: "bot", limit: 100).count == 64)
        #expect(try await storage.pendingOutbox(limit: 100).map(\.id) == (0..<64).map { "m\($0)" })
    }

    /// An instance whose slot map is out of date (the cluster was resharded) is redirected,
    /// reloads the map, and loses nothing.
    @Test func aRedirectedCommandIsSentAgainToTheRightPrimary() async throws {
        let storage = try RedisStorage(url: try RedisTestServer.isolatedClusterURL(partitions: 16))
        for index in 0..<32 {
            var commit = UserCommit(bot: "bot", userID: "u\(index)")
            commit.writes[StorageKey(.user, "n")] = StoredValue(.int(index))
            try await storage.commit(commit)
        }
        storage.pool.forgetSlots()
        for index in 0..<32 {
            let snapshot = try await storage.load(bot: "bot", userID: "u\(index)", now: 0)
            #expect(snapshot.values[StorageKey(.user, "n")]?.value == .int(index))
        }
        storage.pool.forgetSlots()
        var commit = UserCommit(bot: "bot", userID: "u5")
        commit.writes[StorageKey(.user, "n")] = StoredValue(.int(50))
        try await storage.commit(commit)
        #expect(
            try await storage.load(bot: "bot", userID: "u5", now: 0).values[StorageKey(.user, "n")]?.value == .int(50))
    }

    @Test func slotsAreComputedAsRedisDoes() {
        // Values from `redis-cli cluster keyslot`.
        #expect(RedisSlot.of("{0}") == 13907)
        #expect(RedisSlot.of("rulebot:{3}:bot:data:u1") == 1584)
        #expect(RedisSlot.of("123456789") == 12739)
        #expect(RedisSlot.of("a{}b") == 13694, "an empty tag hashes the whole key")
        #expect(RedisPool.key(of: ["EVAL", "script", "2", "k1", "k2", "arg"]) == "k1")
        #expect(RedisPool.key(of: ["EVAL", "script", "0"]) == nil)
        #expect(RedisPool.key(of: ["HGETALL", "k"]) == "k")
        #expect(RedisPool.key(of: ["SCAN", "0"]) == nil)
        #expect(RedisPool.redirection(.error("MOVED 3999 127.0.0.1:6381"))! == ("MOVED", "127.0.0.1:6381"))
        #expect(RedisPool.redirection(.error("ERR other")) == nil)
    }

    /// A prefix keeps the partition count it started with on a cluster: moving would rename keys
    /// across slots, so opening it with another count is refused, saying what to do.
    @Test func anotherPartitionCountIsRefusedOnACluster() throws {
        let url = try RedisTestServer.isolatedClusterURL(partitions: 4)
        _ = try RedisStorage(url: url)
        #expect {
            _ = try RedisStorage(url: url.replacingOccurrences(of: "partitions=4", with: "partitions=6"))
        } throws: { error in
            "\(error)".contains("set partitions=4")
        }
    }
}

/// The memory of which partition holds a message: bounded, and each id kept for a generation.
struct RecentPartitionsTests {
    @Test func anIdIsKnownForAtLeastOneGenerationThenForgotten() {
        var recent = RecentPartitions(capacity: 2)
        recent.note("a", in: 1)
        recent.note("b", in: 2)
        recent.note("c", in: 3)
        #expect(recent.partition(of: "a") == 1, "kept in the previous generation")
        recent.note("d", in: 4)
        recent.note("e", in: 5)
        #expect(recent.partition(of: "a") == nil)
        #expect(recent.partition(of: "c") == 3 && recent.partition(of: "e") == 5)
    }
}
