import Foundation
import RuleEngine
import Testing

@testable import Runtime

/// The snapshot cache keeps at most its bound of users, however many distinct users pass, and
/// a bound of 0 caches nothing; data stays correct either way.
struct SnapshotCacheTests {
    func write(_ storage: SQLiteStorage, user: String) async throws {
        var commit = UserCommit(bot: "b", userID: user)
        commit.writes[StorageKey(.user, "n")] = StoredValue(.string(user))
        try await storage.commit(commit)
    }

    @Test func manyDistinctUsersStayWithinTheBound() async throws {
        let cache = SnapshotCache(capacity: 100)
        for n in 0..<1_000 { cache.put(bot: "b", UserSnapshot(userID: "u\(n)")) }
        #expect(cache.count <= 100)
        let none = SnapshotCache(capacity: 0)
        none.put(bot: "b", UserSnapshot(userID: "u"))
        #expect(none.count == 0)
    }

    @Test(arguments: [0, 10])
    func dataIsRightWhateverTheBound(cachedUsers: Int) async throws {
        let path = try temporaryDirectory().appendingPathComponent("db.sqlite").path
        let storage = try SQLiteStorage(path: path, cachedUsers: cachedUsers)
        for n in 0..<50 { try await write(storage, user: "u\(n)") }
        for n in 0..<50 {
            let snapshot = try await storage.load(bot: "b", userID: "u\(n)", now: 0)
            #expect(snapshot.values[StorageKey(.user, "n")]?.value == .string("u\(n)"))
        }
    }
}
