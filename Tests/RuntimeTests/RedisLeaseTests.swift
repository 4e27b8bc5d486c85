import Foundation
import RuleEngine
import Synchronization
import Testing

@testable import Runtime

/// The user's lock on Redis taken with the user's data, and released by the commit.
@Suite(.enabled(if: RedisTestServer.url != nil, "REDIS_URL is not set"))
struct RedisLeaseTests {
    func commit(_ value: Int) -> UserCommit {
        var commit = UserCommit(bot: "b", userID: "u")
        commit.writes[StorageKey(.user, "n")] = StoredValue(.int(value))
        return commit
    }

    /// Lock-and-load in one script, commit-and-unlock in another: two exchanges for an event.
    @Test func anEventCostsTwoExchangesWithRedis() async throws {
        let storage = try RedisStorage(url: try RedisTestServer.isolatedURL())
        try await storage.commit(commit(1))
        let before = (storage.exchanges, storage.eventExchanges)
        let loaded = try await storage.withUserLease(bot: "b", userID: "u") {
            let snapshot = try await storage.load(bot: "b", userID: "u", now: 0)
            try await storage.commit(commit(2))
            return snapshot
        }
        #expect(loaded.values[StorageKey(.user, "n")]?.value == .int(1), "the data read with the lock")
        #expect(storage.exchanges - before.0 == 2)
        #expect(storage.eventExchanges - before.1 == 2)
        #expect(try await storage.load(bot: "b", userID: "u", now: 0).values[StorageKey(.user, "n")]?.value == .int(2))
        // The commit let the lock go: another holder gets it at once.
        let other = try RedisStorage(url: try RedisTestServer.isolatedURLSharing(storage))
        let exchangesBefore = other.eventExchanges
        try await other.withUserLease(bot: "b", userID: "u") {}
        #expect(other.eventExchanges - exchangesBefore == 2, "taken on the first try, released at the end")
    }

    /// A second commit for the leased user after the first released the lock takes it again,
    /// and a commit whose lock lapsed (another holder may have it now) writes nothing.
    @Test func aCommitWithoutTheLockRetakesItOrWritesNothing() async throws {
        let storage = try RedisStorage(url: try RedisTestServer.isolatedURL())
        try await storage.withUserLease(bot: "b", userID: "u") {
            try await storage.commit(commit(1))
            try await storage.commit(commit(2))
        }
        #expect(try await storage.load(bot: "b", userID: "u", now: 0).values[StorageKey(.user, "n")]?.value == .int(2))

        let error = await #expect(throws: RuntimeError.self) {
            try await storage.withUserLease(bot: "b", userID: "u") {
                let lock = try #require(RedisLease.current).lockKey
                _ = try await storage.pool.command("SET", lock, "someone-else")
                try await storage.commit(commit(3))
            }
        }
        #expect(error?.description.contains("lock lapsed") == true)
        #expect(try await storage.load(bot: "b", userID: "u", now: 0).values[StorageKey(.user, "n")]?.value == .int(2))
        #expect(
            try await storage.pool.command("GET", storage.keys.user(bot: "b", userID: "u").lock)
                == .string("someone-else"),
            "another holder's lock is left alone")
    }
}

/// A held lock is renewed however busy the process is: with dispatch's shared worker threads
/// all blocked (CI once lost an event that way), a body that outlives the lock several times
/// over still commits.
@Suite(.enabled(if: RedisTestServer.url != nil, "REDIS_URL is not set"))
struct RedisLockRenewalTests {
    @Test(.timeLimit(.minutes(1))) func aLockOutlivesItsTimeWhileDispatchsSharedThreadsAreBlocked() async throws {
        let storage = try RedisStorage(url: try RedisTestServer.isolatedURL(), lockMilliseconds: 300)
        let gate = DispatchSemaphore(value: 0)
        let blockers = 4
        for _ in 0..<blockers { DispatchQueue.global().async { gate.wait() } }
        defer { for _ in 0..<blockers { gate.signal() } }
        try await storage.withUserLease(bot: "b", userID: "u") {
            // Waits for renewals, not for a time: six of them carry the lock past 600 ms.
            while storage.renewalsSent.load(ordering: .relaxed) < 6 { try await Task.sleep(for: .milliseconds(20)) }
            var commit = UserCommit(bot: "b", userID: "u")
            commit.writes[StorageKey(.user, "n")] = StoredValue(.int(1))
            try await storage.commit(commit)
        }
        #expect(try await storage.load(bot: "b", userID: "u", now: 0).values[StorageKey(.user, "n")]?.value == .int(1))
    }
}

/// Requests pipelined together get their own replies, also when some are sent without waiting.
@Suite(.enabled(if: RedisTestServer.url != nil, "REDIS_URL is not set"))
struct RedisPipelineTests {
    @Test func concurrentRequestsGetTheirOwnReplies() async throws {
        let storage = try RedisStorage(url: try RedisTestServer.isolatedURL())
        let pool = storage.pool
        try await withThrowingTaskGroup(of: Void.self) { group in
            for caller in 0..<64 {
                group.addTask {
                    for round in 0..<50 {
                        let key = storage.keys.global("pipe", "\(caller)")
                        pool.send([["SET", storage.keys.global("noise", "\(caller)"), "x"]])
                        let replies = try await pool.run([["SET", key, "\(caller)-\(round)"], ["GET", key]])
                        #expect(replies == [.status("OK"), .string("\(caller)-\(round)")])
                        let single = try await pool.commandArray(["GET", key])
                        #expect(single == .string("\(caller)-\(round)"))
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}

extension RedisTestServer {
    /// The URL (with its prefix) of an open storage, for a second instance on the same keys.
    static func isolatedURLSharing(_ storage: RedisStorage) throws -> String {
        let base = try #require(url)
        return base + (base.contains("?") ? "&" : "?") + "prefix=\(storage.prefix)"
    }
}
