import Foundation
import RuleEngine
import Runtime
import Testing

/// The backends the conformance suite runs against. Redis joins when REDIS_URL is set; without it
/// `RedisAvailabilityTests` is reported as skipped with the reason.
enum Backend: String, CaseIterable, CustomTestStringConvertible {
    case memory, sqlite, json, redis
    /// Redis with users spread over 4 partitions.
    case redisPartitioned
    /// Redis in cluster mode (one node holding every slot, which enforces the cluster's rule
    /// that a script's keys share one slot), with users spread over 8 partitions.
    case redisCluster

    var testDescription: String { rawValue }

    /// The backends this run can test.
    static var available: [Backend] {
        [.memory, .sqlite, .json] + (RedisTestServer.url == nil ? [] : [.redis, .redisPartitioned])
            + (RedisTestServer.clusterURL == nil ? [] : [.redisCluster])
    }

    /// Fresh, empty storage and a way to open it again (to check persistence).
    func make() throws -> (storage: any BotStorage, reopen: () throws -> any BotStorage) {
        switch self {
        case .memory:
            let storage = MemoryStorage()
            return (storage, { storage })
        case .sqlite:
            let path = try temporaryDirectory().appendingPathComponent("db.sqlite").path
            return (try SQLiteStorage(path: path), { try SQLiteStorage(path: path) })
        case .json:
            let path = try temporaryDirectory().path
            return (try JSONFileStorage(directory: path), { try JSONFileStorage(directory: path) })
        case .redis, .redisPartitioned, .redisCluster:
            let url =
                self == .redis
                ? try RedisTestServer.isolatedURL()
                : self == .redisPartitioned
                    ? try RedisTestServer.isolatedURL() + "&partitions=4"
                    : try RedisTestServer.isolatedClusterURL(partitions: 8)
            return (try RedisStorage(url: url), { try RedisStorage(url: url) })
        }
    }
}

/// One suite, every backend: the contract in `BotStorage`'s documentation.
struct StorageConformanceTests {
    static let bot = "bot"

    func commit(_ user: String = "u1", _ body: (inout UserCommit) -> Void) -> UserCommit {
        var commit = UserCommit(bot: Self.bot, userID: user)
        body(&commit)
        return commit
    }

    func timer(_ name: String, user: String = "u1", due: Double, generation: String) -> TimerRecord {
        TimerRecord(bot: Self.bot, userID: user, name: name, startedAt: due - 10, dueAt: due, generation: generation)
    }

    @Test(arguments: Backend.available)
    func unknownUserHasNothing(backend: Backend) async throws {
        let storage = try backend.make().storage
        let snapshot = try await storage.load(bot: Self.bot, userID: "nobody", now: 0)
        #expect(snapshot.values.isEmpty && snapshot.timers.isEmpty)
    }

    @Test(arguments: Backend.available)
    func listsTheUsersOfOneBot(backend: Backend) async throws {
        let storage = try backend.make().storage
        try await storage.commit(commit("u2") { $0.writes[StorageKey(.user, "a")] = StoredValue(1) })
        try await storage.commit(commit("u1") { $0.writes[StorageKey(.table, "b")] = StoredValue(2) })
        try await storage.commit(
            commit("u3") { $0.timers["t"] = .start(timer("t", user: "u3", due: 9, generation: "g")) })
        var other = UserCommit(bot: "other", userID: "u9")
        other.writes[StorageKey(.user, "a")] = StoredValue(1)
        try await storage.commit(other)
        #expect(try await storage.users(bot: Self.bot, limit: 10) == ["u1", "u2", "u3"])
        #expect(try await storage.users(bot: Self.bot, limit: 2) == ["u1", "u2"])
        #expect(try await storage.users(bot: "other", limit: 10) == ["u9"])
    }

    @Test(arguments: Backend.available)
    func writesAllScopesAndDeletes(backend: Backend) async throws {
        let storage = try backend.make().storage
        try await storage.commit(
            commit {
                $0.writes[StorageKey(.user, "profile")] = StoredValue(.object(["name": "Ana", "n": 2]))
                $0.writes[StorageKey(.table, "history")] = StoredValue(.array(["a", "b"]), expiresAt: 500)
                $0.writes[StorageKey(.state, "count")] = StoredValue(.double(1.5))
            })
        var snapshot = try await storage.load(bot: Self.bot, userID: "u1", now: 10)
        #expect(snapshot.values[StorageKey(.user, "profile")]?.value == .object(["name": "Ana", "n": 2]))
        #expect(snapshot.values[StorageKey(.table, "history")] == StoredValue(.array(["a", "b"]), expiresAt: 500))
        #expect(snapshot.values[StorageKey(.state, "count")]?.value == .double(1.5))
        try await storage.commit(commit { $0.writes[StorageKey(.table, "history")] = .some(nil) })
        snapshot = try await storage.load(bot: Self.bot, userID: "u1", now: 10)
        #expect(snapshot.values[StorageKey(.table, "history")] == nil)
        #expect(snapshot.values.count == 2)
    }

    @Test(arguments: Backend.available)
    func expiredValuesAreNeverReturnedAndArePurged(backend: Backend) async throws {
        let storage = try backend.make().storage
        try await storage.commit(
            commit {
                $0.writes[StorageKey(.user, "short")] = StoredValue("x", expiresAt: 100)
                $0.writes[StorageKey(.user, "long")] = StoredValue("y", expiresAt: 1000)
            })
        let snapshot = try await storage.load(bot: Self.bot, userID: "u1", now: 100)
        #expect(snapshot.values.keys.map(\.key) == ["long"])
        #expect(try await storage.purgeExpired(now: 100) >= 1)
        #expect(try await storage.load(bot: Self.bot, userID: "u1", now: 0).values.keys.map(\.key) == ["long"])
    }

    @Test(arguments: Backend.available)
    func usersAreIsolated(backend: Backend) async throws {
        let storage = try backend.make().storage
        try await storage.commit(commit("alice") { $0.writes[StorageKey(.user, "name")] = StoredValue("Alice") })
        try await storage.commit(commit("bob") { $0.writes[StorageKey(.user, "name")] = StoredValue("Bob") })
        #expect(
            try await storage.load(bot: Self.bot, userID: "alice", now: 0).values[StorageKey(.user, "name")]?.value
                == "Alice")
        #expect(
            try await storage.load(bot: Self.bot, userID: "bob", now: 0).values[StorageKey(.user, "name")]?.value
                == "Bob")
    }

    @Test(arguments: Backend.available)
    func timersStartReplaceCancelAndClaimOnce(backend: Backend) async throws {
        let storage = try backend.make().storage
        try await storage.commit(
            commit {
                $0.timers["a"] = .start(timer("a", due: 100, generation: "a1"))
                $0.timers["b"] = .start(timer("b", due: 200, generation: "b1"))
            })
        try await storage.commit(commit { $0.timers["a"] = .start(timer("a", due: 150, generation: "a2")) })
        #expect(try await storage.load(bot: Self.bot, userID: "u1", now: 0).timers["a"]?.generation == "a2")
        #expect(try await storage.nextTimerDue() == 150)
        #expect(try await storage.claimDueTimers(now: 149, limit: 10, lease: 30).isEmpty)
        let claimed = try await storage.claimDueTimers(now: 160, limit: 10, lease: 30)
        #expect(claimed.map(\.generation) == ["a2"])
        #expect(
            try await storage.claimDueTimers(now: 170, limit: 10, lease: 30).isEmpty,
            "a leased timer is not handed out twice")
        #expect(
            try await storage.claimDueTimers(now: 191, limit: 10, lease: 30).map(\.generation) == ["a2"],
            "an expired lease frees the timer")
        try await storage.commit(commit { $0.timers["b"] = .cancel })
        #expect(try await storage.load(bot: Self.bot, userID: "u1", now: 0).timers.keys.sorted() == ["a"])
    }

    @Test(arguments: Backend.available)
    func firingRemovesOnlyTheSameGeneration(backend: Backend) async throws {
        let storage = try backend.make().storage
        try await storage.commit(commit { $0.timers["t"] = .start(timer("t", due: 100, generation: "g2")) })
        try await storage.commit(commit { $0.timers["t"] = .fired(generation: "g1") })
        #expect(try await storage.load(bot: Self.bot, userID: "u1", now: 0).timers["t"]?.generation == "g2")
        try await storage.commit(commit { $0.timers["t"] = .fired(generation: "g2") })
        #expect(try await storage.load(bot: Self.bot, userID: "u1", now: 0).timers.isEmpty)
        #expect(try await storage.nextTimerDue() == nil)
    }

    @Test(arguments: Backend.available)
    func aSecondCommitOfAHandledEventIsRefusedAndWritesNothing(backend: Backend) async throws {
        let storage = try backend.make().storage
        let entry = InboxEntry(bot: Self.bot, event: .message("hi", from: "u1", id: "w1"))
        #expect(try await storage.accept([entry], rememberUntil: Date().timeIntervalSince1970 + 3600) == [entry])
        func handling(_ value: Int) -> UserCommit {
            commit {
                $0.inboxID = entry.id
                $0.writes[StorageKey(.user, "n")] = StoredValue(.int(value))
                $0.outbox = [
                    OutboundMessage(id: "o\(value)", bot: Self.bot, to: "u1", body: .text("\(value)"), createdAt: 1)
                ]
            }
        }
        try await storage.commit(handling(1))
        let error = await #expect(throws: RuntimeError.self) { try await storage.commit(handling(2)) }
        #expect(error?.isAlreadyHandled == true)
        #expect(
            try await storage.load(bot: Self.bot, userID: "u1", now: 0).values[StorageKey(.user, "n")]?.value == .int(1)
        )
        #expect(try await storage.pendingOutbox(limit: 10).map(\.id) == ["o1"], "the repeat's reply is not sent")
        #expect(try await storage.pendingInbox(limit: 10).isEmpty)
        #expect(storage.statistics().errors == 0, "a refused repeat is not a storage error")
    }

    @Test(arguments: Backend.available)
    func outboxKeepsOrderUntilRemoved(backend: Backend) async throws {
        let storage = try backend.make().storage
        let messages = (1...3).map {
            OutboundMessage(id: "m\($0)", bot: Self.bot, to: "u1", body: .text("reply \($0)"), createdAt: Double($0))
        }
        try await storage.commit(commit { $0.outbox = Array(messages.prefix(2)) })
        try await storage.commit(commit { $0.outbox = [messages[2]] })
        #expect(try await storage.pendingOutbox(limit: 10) == messages)
        try await storage.removeOutbox(ids: ["m1", "m3"])
        #expect(try await storage.pendingOutbox(limit: 10).map(\.id) == ["m2"])
    }

    @Test(arguments: Backend.available)
    func acceptDeduplicatesAndCommitClearsTheInbox(backend: Backend) async throws {
        let storage = try backend.make().storage
        let first = InboxEntry(bot: Self.bot, event: .message("hi", from: "u1", id: "wamid.1"))
        let second = InboxEntry(bot: Self.bot, event: .message("yo", from: "u1", id: "wamid.2"))
        #expect(
            try await storage.accept([first, second], rememberUntil: Date().timeIntervalSince1970 + 3600) == [
                first, second,
            ])
        #expect(
            try await storage.accept([first], rememberUntil: Date().timeIntervalSince1970 + 3600).isEmpty,
            "a redelivered id is refused")
        #expect(try await storage.pendingInbox(limit: 10) == [first, second])
        try await storage.commit(commit { $0.inboxID = first.id })
        #expect(try await storage.pendingInbox(limit: 10) == [second])
        #expect(
            try await storage.accept([first], rememberUntil: Date().timeIntervalSince1970 + 3600).isEmpty,
            "handled ids stay remembered")
    }

    @Test(arguments: Backend.available)
    func everythingInACommitLandsTogether(backend: Backend) async throws {
        let (storage, reopen) = try backend.make()
        let entry = InboxEntry(bot: Self.bot, event: .message("hi", from: "u1", id: "wamid.9"))
        _ = try await storage.accept([entry], rememberUntil: Date().timeIntervalSince1970 + 3600)
        try await storage.commit(
            commit {
                $0.writes[StorageKey(.user, "seen")] = StoredValue(true)
                $0.timers["t"] = .start(timer("t", due: 50, generation: "g"))
                $0.outbox = [OutboundMessage(id: "o1", bot: Self.bot, to: "u1", body: .text("hi"), createdAt: 1)]
                $0.inboxID = entry.id
            })
        let reopened = try reopen()
        let snapshot = try await reopened.load(bot: Self.bot, userID: "u1", now: 0)
        #expect(snapshot.values[StorageKey(.user, "seen")]?.value == true)
        #expect(snapshot.timers["t"]?.dueAt == 50)
        #expect(try await reopened.pendingOutbox(limit: 10).map(\.id) == ["o1"])
        #expect(try await reopened.pendingInbox(limit: 10).isEmpty)
    }

    @Test(arguments: Backend.available)
    func statisticsCountOperations(backend: Backend) async throws {
        let storage = try backend.make().storage
        _ = try await storage.load(bot: Self.bot, userID: "u1", now: 0)
        try await storage.commit(commit { $0.writes[StorageKey(.user, "x")] = StoredValue(1) })
        _ = try await storage.load(bot: Self.bot, userID: "u1", now: 0)
        let stats = storage.statistics()
        #expect(stats.operations == 3)
        #expect(stats.misses == 1 && stats.hits == 1)
    }
}
