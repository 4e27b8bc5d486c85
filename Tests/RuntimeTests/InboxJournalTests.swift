import Foundation
import GRDB
import RuleEngine
import Testing

@testable import Runtime

/// SQLite keeps accepted events in an append-only journal beside the database and marks an
/// event handled by storing its id in `seen` with the commit that handles it.
struct InboxJournalTests {
    static let bot = "b"
    static let later = Date().timeIntervalSince1970 + 3600

    func entry(_ id: String, from user: String = "u1") -> InboxEntry {
        InboxEntry(bot: Self.bot, event: .message("text of \(id)", from: user, id: id))
    }

    func handled(_ id: String) -> UserCommit {
        var commit = UserCommit(bot: Self.bot, userID: "u1")
        commit.writes[StorageKey(.user, "n")] = StoredValue(.int(1))
        commit.inboxID = "\(Self.bot):\(id)"
        return commit
    }

    func segments(in directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains("-inbox.") }.sorted()
    }

    @Test func acceptedEventsSurviveAReopenAndStayDeduplicated() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("db.sqlite").path
        let (first, second) = (entry("wamid.1"), entry("wamid.2"))
        do {
            let storage = try SQLiteStorage(path: path)
            #expect(try await storage.accept([first, second, first], rememberUntil: Self.later) == [first, second])
            try await storage.commit(handled("wamid.1"))
        }
        let reopened = try SQLiteStorage(path: path)
        #expect(try await reopened.pendingInbox(limit: 10) == [second], "the unhandled event is pending again")
        #expect(
            try await reopened.accept([first, second], rememberUntil: Self.later).isEmpty,
            "a handled id and a pending id are both refused after the restart")
        try await reopened.commit(handled("wamid.2"))
        #expect(try await reopened.pendingInbox(limit: 10).isEmpty)
        let files = try segments(in: directory)
        #expect(files.count == 1, "earlier segments were deleted: \(files)")
    }

    @Test func aSegmentGoesWhenItsLastEventIsHandled() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = directory.appendingPathComponent("db").path
        let journal = try InboxJournal(base: base, segmentBytes: 1) { _ in [] }
        let entries = [entry("a"), entry("b"), entry("c")]
        for item in entries {
            let claimed = journal.reserve([item])
            try journal.append(claimed, rememberUntil: Self.later)
            journal.release(claimed)
        }
        #expect(try segments(in: directory).count == 3, "one segment per append at this size")
        journal.done(entries[1].id)
        #expect(try segments(in: directory) == ["db-inbox.1", "db-inbox.3"])
        journal.done(entries[0].id)
        journal.done(entries[2].id)
        #expect(try segments(in: directory) == ["db-inbox.3"], "the segment being written stays")
        #expect(journal.pending(limit: 10).isEmpty)
    }

    @Test func anIdBeingAcceptedIsNotAcceptedTwice() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let journal = try InboxJournal(base: directory.appendingPathComponent("db").path) { _ in [] }
        let claimed = journal.reserve([entry("a")])
        #expect(journal.reserve([entry("a")]).isEmpty, "claimed by a request still checking it")
        journal.release(claimed)
        #expect(journal.reserve([entry("a")]).count == 1, "released when the first request did not keep it")
    }

    @Test func aLineCutShortByACrashIsSkippedAndDamageElsewhereIsQuarantined() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = directory.appendingPathComponent("db").path
        let good = "\(Self.later)\t\(entry("a").recordJSON)\n"
        try (good + "\(Self.later)\t{\"bot\":\"b\",\"ev").write(
            toFile: base + "-inbox.1", atomically: true, encoding: .utf8)
        let journal = try InboxJournal(base: base) { _ in [] }
        #expect(journal.pending(limit: 10) == [entry("a")])
        #expect(try segments(in: directory) == ["db-inbox.2"], "the survivors moved into a new segment")

        // A damaged line (as a timestamp of 1e400 once wrote: `null` where a number must be) no
        // longer stops every later start: it is moved aside and counted, the rest is handled.
        let poisoned = good.replacingOccurrences(of: "\"timestamp\":", with: "\"timestamp\":null,\"x\":")
        try ("\(Self.later)\tnot json\n" + poisoned + entryLine("c")).write(
            toFile: base + "-inbox.3", atomically: true, encoding: .utf8)
        let reopened = try InboxJournal(base: base) { _ in [] }
        #expect(reopened.quarantinedLines.count == 2)
        #expect(reopened.pending(limit: 10) == [entry("a"), entry("c")])
        let quarantined = try String(contentsOfFile: InboxJournal.quarantinePath(base), encoding: .utf8)
        #expect(quarantined == "\(Self.later)\tnot json\n" + poisoned, "kept as it was, for a person to look at")
        #expect(try segments(in: directory) == ["db-inbox.4", "db-inbox.quarantine"])
    }

    private func entryLine(_ id: String) -> String {
        "\(Self.later)\t\(entry(id).recordJSON)\n"
    }

    @Test func eventsInAnOlderVersionsInboxTableMoveIntoTheJournal() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("db.sqlite").path
        let old = entry("wamid.old")
        do {
            // The layout before the journal: the inbox was a table, and ids went to `seen` on arrival.
            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in
                try db.execute(
                    sql: """
                        CREATE TABLE inbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL);
                        CREATE TABLE seen (id TEXT PRIMARY KEY, expires_at REAL NOT NULL) WITHOUT ROWID;
                        """)
                try db.execute(sql: "INSERT INTO inbox (id, body) VALUES (?, ?)", arguments: [old.id, old.recordJSON])
                try db.execute(sql: "INSERT INTO seen (id, expires_at) VALUES (?, ?)", arguments: [old.id, Self.later])
            }
        }
        let storage = try SQLiteStorage(path: path)
        #expect(try await storage.pendingInbox(limit: 10) == [old])
        #expect(try await storage.accept([old], rememberUntil: Self.later).isEmpty, "still a duplicate")
        try await storage.commit(handled("wamid.old"))
        #expect(try await storage.pendingInbox(limit: 10).isEmpty)
        let hasTable = try await DatabaseQueue(path: path).read { try $0.tableExists("inbox") }
        #expect(!hasTable, "the old table is gone")
    }
}

extension InboxJournalTests {
    @Test func aRefusedRepeatAmongConcurrentCommitsLeavesTheOthersWritten() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let storage = try SQLiteStorage(path: directory.appendingPathComponent("db.sqlite").path)
        _ = try await storage.accept([entry("wamid.1")], rememberUntil: Self.later)
        try await storage.commit(handled("wamid.1"))
        let refused = try await withThrowingTaskGroup(of: Bool.self) { group in
            for user in 0..<50 {
                group.addTask {
                    var commit = UserCommit(bot: Self.bot, userID: "u\(user)")
                    commit.writes[StorageKey(.user, "n")] = StoredValue(.int(user))
                    if user == 25 { commit.inboxID = "\(Self.bot):wamid.1" }
                    do {
                        try await storage.commit(commit)
                        return false
                    } catch let error as RuntimeError where error.isAlreadyHandled {
                        return true
                    }
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(refused == 1)
        for user in 0..<50 {
            let value = try await storage.load(bot: Self.bot, userID: "u\(user)", now: 0).values[StorageKey(.user, "n")]
            #expect(value?.value == (user == 25 ? nil : .int(user)), "user \(user)")
        }
    }
}
