import Foundation
import RuleEngine
import Runtime
import Synchronization
import Testing

/// Where the Redis for tests is: `REDIS_URL`, set by `.ci/run` (which starts a private redis-server).
enum RedisTestServer {
    static var url: String? { ProcessInfo.processInfo.environment["REDIS_URL"].flatMap { $0.isEmpty ? nil : $0 } }

    /// A Redis in cluster mode: `REDIS_CLUSTER_URL`, set by `.ci/run`.
    static var clusterURL: String? {
        ProcessInfo.processInfo.environment["REDIS_CLUSTER_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The server's URL with a fresh key prefix, so tests never see each other's keys.
    static func isolatedURL() throws -> String {
        try isolated(try #require(url))
    }

    /// The cluster-mode server's URL with a fresh key prefix and `partitions` partitions.
    static func isolatedClusterURL(partitions: Int) throws -> String {
        try isolated(try #require(clusterURL)) + "&partitions=\(partitions)"
    }

    private static func isolated(_ base: String) throws -> String {
        base + (base.contains("?") ? "&" : "?") + "prefix=test-\(UUID().uuidString.prefix(8)):"
    }
}

/// Reports clearly when the Redis tests did not run.
struct RedisAvailabilityTests {
    @Test(
        .enabled(
            if: RedisTestServer.url != nil, "REDIS_URL is not set: the Redis conformance and lease tests did not run"))
    func redisIsReachable() async throws {
        let storage = try RedisStorage(url: try RedisTestServer.isolatedURL())
        #expect(try await storage.timerCount() == 0)
    }

    @Test(
        .enabled(
            if: RedisTestServer.clusterURL != nil,
            "REDIS_CLUSTER_URL is not set: the storage conformance suite did not run on a Redis in cluster mode"))
    func aRedisInClusterModeIsReachable() async throws {
        let storage = try RedisStorage(url: try RedisTestServer.isolatedClusterURL(partitions: 2))
        #expect(try await storage.timerCount() == 0)
    }
}

@Suite(.enabled(if: RedisTestServer.url != nil, "REDIS_URL is not set"))
struct RedisStorageTests {
    @Test func keysLiveUnderThePrefixForRedisCli() async throws {
        let url = try RedisTestServer.isolatedURL()
        let storage = try RedisStorage(url: url)
        var commit = UserCommit(bot: "expiry", userID: "346")
        commit.writes[StorageKey(.user, "messages")] = StoredValue(.array(["hi"]))
        try await storage.commit(commit)
        #expect(try await storage.load(bot: "expiry", userID: "346", now: 0).values.count == 1)
        // What `redis-cli --scan --pattern 'PREFIX*'` shows.
        let prefix = String(try #require(url.split(separator: "=").last))
        let keys = try await storage.scanKeys(prefix + "*")
        #expect(Set(keys) == [prefix + "{0}:expiry:data:346", prefix + "layout"])
    }

    /// The test server runs without an append-only file (as .ci/run starts it): serve must warn.
    @Test func aRedisWithoutAppendOnlyIsReportedAsLosingAcknowledgedEvents() async throws {
        let storage = try RedisStorage(url: try RedisTestServer.isolatedURL())
        let warning = try #require(await storage.durabilityWarning())
        #expect(warning.contains("appendonly no") && warning.contains("appendfsync everysec"))
    }

    @Test func theUserLeaseExcludesOtherHolders() async throws {
        let url = try RedisTestServer.isolatedURL()
        let a = try RedisStorage(url: url)
        let b = try RedisStorage(url: url)
        let tracker = OverlapTracker()
        await withTaskGroup(of: Void.self) { group in
            for storage in [a, b, a, b] {
                group.addTask {
                    _ = try? await storage.withUserLease(bot: "bot", userID: "u") {
                        tracker.enter()
                        try await Task.sleep(for: .milliseconds(30))
                        tracker.leave()
                    }
                }
            }
        }
        #expect(tracker.entries == 4)
        #expect(!tracker.overlapped)
    }

    @Test func eachDueTimerIsClaimedByOneInstance() async throws {
        let url = try RedisTestServer.isolatedURL()
        let instances = try (0..<3).map { _ in try RedisStorage(url: url) }
        for i in 0..<60 {
            var commit = UserCommit(bot: "b", userID: "u\(i)")
            commit.timers["t"] = .start(
                TimerRecord(bot: "b", userID: "u\(i)", name: "t", startedAt: 0, dueAt: 10, generation: "g\(i)"))
            try await instances[0].commit(commit)
        }
        let claimed = await withTaskGroup(of: [TimerRecord].self) { group in
            for storage in instances {
                group.addTask { (try? await storage.claimDueTimers(now: 20, limit: 100, lease: 30)) ?? [] }
            }
            return await group.reduce(into: [TimerRecord]()) { $0 += $1 }
        }
        #expect(claimed.count == 60)
        #expect(Set(claimed.map(\.generation)).count == 60)
    }
}

/// Notices when two holders of a lock are inside at once.
final class OverlapTracker: Sendable {
    private let state = Mutex((inside: 0, entries: 0, overlapped: false))

    func enter() {
        state.withLock {
            $0.inside += 1
            $0.entries += 1
            if $0.inside > 1 { $0.overlapped = true }
        }
    }

    func leave() {
        state.withLock { $0.inside -= 1 }
    }

    var entries: Int { state.withLock { $0.entries } }
    var overlapped: Bool { state.withLock { $0.overlapped } }
}
