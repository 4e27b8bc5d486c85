import Foundation
import RuleEngine
import Runtime
import Testing

struct JSONFileStorageTests {
    @Test func usesTheSeedLayout() async throws {
        let directory = try temporaryDirectory()
        let storage = try JSONFileStorage(directory: directory.path)
        var commit = UserCommit(bot: "b", userID: "34600111222")
        commit.writes[StorageKey(.user, "profile")] = StoredValue(.object(["name": "Ana"]))
        commit.writes[StorageKey(.table, "history")] = StoredValue(.array([]))
        commit.writes[.machine] = StoredValue(.object(["name": "wappa"]))
        try await storage.commit(commit)
        let files = try FileManager.default.subpathsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }
            .sorted()
        #expect(
            files == [
                "state_cache/%40machine_34600111222.json", "table_cache/history_34600111222.json",
                "user_cache/profile_34600111222.json",
            ])
    }

    /// Files are written by our own JSON writer, pretty for people; files JSONEncoder wrote
    /// before (`"key" : value`) still read.
    @Test func readsFilesJSONEncoderWroteAndWritesReadableOnes() async throws {
        let directory = try temporaryDirectory()
        _ = try JSONFileStorage(directory: directory.path)
        let old = """
            {
              "bot" : "b",
              "value" : {
                "name" : "Ana",
                "visits" : 3
              }
            }
            """
        let file = directory.appendingPathComponent("user_cache/profile_34600111222.json")
        try old.write(to: file, atomically: true, encoding: .utf8)
        // Files are indexed when the storage opens (an earlier version wrote this one).
        let storage = try JSONFileStorage(directory: directory.path)
        let snapshot = try await storage.load(bot: "b", userID: "34600111222", now: 0)
        #expect(snapshot.values[StorageKey(.user, "profile")]?.value == .object(["name": "Ana", "visits": 3]))

        var commit = UserCommit(bot: "b", userID: "34600111222")
        commit.writes[StorageKey(.user, "profile")] = StoredValue(.object(["name": "Ana", "visits": 4]))
        try await storage.commit(commit)
        let written = try String(contentsOf: file, encoding: .utf8)
        #expect(written == "{\n  \"bot\": \"b\",\n  \"value\": {\n    \"name\": \"Ana\",\n    \"visits\": 4\n  }\n}\n")
    }

    /// A damaged inbox file or unfinished-commit journal (a disk fault, a hand edit) is moved to
    /// `_system/quarantine` and kept as a dead letter; it never stops a start or the other events.
    @Test func damagedFilesAreQuarantinedNotFatal() async throws {
        let directory = try temporaryDirectory()
        do {
            let storage = try JSONFileStorage(directory: directory.path)
            let good = InboxEntry(bot: "b", event: .message("hello", from: "u1", id: "good"))
            _ = try await storage.accept([good], rememberUntil: 1e9)
        }
        try "{\"bot\": \"b\", \"event\": ".write(
            to: directory.appendingPathComponent("_system/inbox/00000000000000000000_bad.json"), atomically: true,
            encoding: .utf8)
        try "{\"commit\": {".write(
            to: directory.appendingPathComponent("_system/journal/b_u2.json"), atomically: true, encoding: .utf8)
        let reopened = try JSONFileStorage(directory: directory.path)
        #expect(try await reopened.pendingInbox(limit: 10).map(\.event.id) == ["good"])
        #expect(try await reopened.deadLetterCount() == 2)
        let quarantined = try FileManager.default.contentsOfDirectory(
            atPath: directory.appendingPathComponent("_system/quarantine").path)
        #expect(quarantined.sorted() == ["00000000000000000000_bad.json", "b_u2.json"])
    }

    @Test(arguments: ["../../etc/passwd", "/abs/path", "..", "a/b", "ü\u{0}x", "CON"])
    func hostileUserIDsStayInsideTheDirectory(user: String) async throws {
        let directory = try temporaryDirectory()
        let storage = try JSONFileStorage(directory: directory.appendingPathComponent("data").path)
        var commit = UserCommit(bot: "b", userID: user)
        commit.writes[StorageKey(.user, "profile")] = StoredValue("x")
        try await storage.commit(commit)
        let outside = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(outside == ["data"])
        #expect(
            try await storage.load(bot: "b", userID: user, now: 0).values[StorageKey(.user, "profile")]?.value == "x")
    }

    @Test func anUnfinishedCommitIsCompletedOnOpen() async throws {
        let directory = try temporaryDirectory()
        _ = try JSONFileStorage(directory: directory.path)
        // A crash after the journal was written and before it was applied leaves only the journal.
        let journal = """
            {"commit":{"bot":"b","userID":"u","writes":[{"key":{"scope":"user","key":"k"},"value":{"value":42}}],"timers":[]},"outbox":[]}
            """
        try journal.write(
            to: directory.appendingPathComponent("_system/journal/b_u.json"), atomically: true, encoding: .utf8)
        let reopened = try JSONFileStorage(directory: directory.path)
        #expect(try await reopened.load(bot: "b", userID: "u", now: 0).values[StorageKey(.user, "k")]?.value == 42)
        #expect(
            try FileManager.default.contentsOfDirectory(
                atPath: directory.appendingPathComponent("_system/journal").path
            ).isEmpty)
    }

    @Test func unopenableStorageIsAClearError() throws {
        #expect(throws: RuntimeError.self) { try JSONFileStorage(directory: "/proc/rulebot-cannot-write-here") }
        #expect(throws: RuntimeError.self) { try SQLiteStorage(path: "/proc/rulebot/db.sqlite") }
        #expect(throws: RuntimeError.self) { try SQLiteStorage(path: "/tmp/unused.sqlite", pageSize: 3000) }
    }
}
