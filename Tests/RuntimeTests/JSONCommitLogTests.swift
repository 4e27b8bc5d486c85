import Foundation
import RuleEngine
import Testing

@testable import Runtime

/// The JSON backend's commit log, outbox snapshot and handled-id log: what a crash or a restart
/// finds, and data an earlier version left behind.
struct JSONCommitLogTests {
    func message(_ id: String) -> OutboundMessage {
        OutboundMessage(id: id, bot: "b", to: "u", body: .text(id), createdAt: 1)
    }

    /// Every record is replayed on open, so a sent message, a fired timer and a handled event
    /// must stay sent, fired and handled, not come back.
    @Test func replayingTheLogBringsNothingBack() async throws {
        let directory = try temporaryDirectory()
        let entry = InboxEntry(bot: "b", event: .message("hi", from: "u", id: "w1"))
        do {
            let storage = try JSONFileStorage(directory: directory.path)
            _ = try await storage.accept([entry], rememberUntil: 4e9)
            var commit = UserCommit(bot: "b", userID: "u")
            commit.inboxID = entry.id
            commit.outbox = [message("o1"), message("o2")]
            commit.timers["t"] = .start(
                TimerRecord(bot: "b", userID: "u", name: "t", startedAt: 0, dueAt: 5, generation: "g"))
            try await storage.commit(commit)
            try await storage.removeOutbox(ids: ["o1"])
            var fired = UserCommit(bot: "b", userID: "u")
            fired.timers["t"] = .fired(generation: "g")
            try await storage.commit(fired)
        }
        let log = try String(contentsOf: directory.appendingPathComponent("_system/commits.log"), encoding: .utf8)
        #expect(log.split(separator: "\n").count == 3, "nothing was checkpointed, so all three records replay")
        let reopened = try JSONFileStorage(directory: directory.path)
        #expect(try await reopened.pendingOutbox(limit: 10).map(\.id) == ["o2"])
        #expect(try await reopened.nextTimerDue() == nil)
        #expect(try await reopened.accept([entry], rememberUntil: 4e9).isEmpty, "the handled id is remembered")
        #expect(try await reopened.pendingInbox(limit: 10).isEmpty)
    }

    /// A crash between the log's fdatasync and the files: the files never saw the commit, the
    /// log has it. A last line cut short belonged to a batch never acknowledged and is skipped;
    /// a damaged line elsewhere becomes a dead letter.
    @Test func aLoggedCommitTheFilesNeverSawIsAppliedOnOpen() async throws {
        let directory = try temporaryDirectory()
        _ = try JSONFileStorage(directory: directory.path)
        let lines = [
            #"{"entry":{"commit":{"bot":"b","userID":"u","writes":[{"key":{"scope":"user","key":"k"},"value":{"value":42}}],"timers":[]},"outbox":[{"seq":7,"message":{"id":"o7","bot":"b","to":"u","body":{"text":{"_0":"hi"}},"createdAt":1}}]}}"#,
            #"{"entry":{"commit""#,
            #"{"sent":["nothing"]}"#,
            #"{"entry":{"commit":{"bot":"b","userID":"u","writes":[{"key":{"scope":"user","key":"k"},"value":{"value":43}}]"#,
        ]
        try lines.joined(separator: "\n").write(
            to: directory.appendingPathComponent("_system/commits.log"), atomically: true, encoding: .utf8)
        let reopened = try JSONFileStorage(directory: directory.path)
        #expect(try await reopened.load(bot: "b", userID: "u", now: 0).values[StorageKey(.user, "k")]?.value == 42)
        #expect(try await reopened.deadLetterCount() == 1, "the damaged middle line, not the torn last one")
        var commit = UserCommit(bot: "b", userID: "u")
        commit.outbox = [message("next")]
        try await reopened.commit(commit)
        #expect(
            try await reopened.pendingOutbox(limit: 10).map(\.id).last == "next",
            "numbering goes on after the replayed message's 7")
    }

    /// A checkpoint (here the one a migration starts with) syncs the files, snapshots the
    /// outbox and empties the log; what was pending is still there after a restart.
    @Test func aCheckpointEmptiesTheLogAndKeepsThePendingOutbox() async throws {
        let directory = try temporaryDirectory()
        do {
            let storage = try JSONFileStorage(directory: directory.path)
            var commit = UserCommit(bot: "b", userID: "u")
            commit.outbox = [message("o1"), message("o2")]
            commit.writes[StorageKey(.user, "k")] = StoredValue(1)
            try await storage.commit(commit)
            try await storage.removeOutbox(ids: ["o1"])
            _ = try await storage.migrate(bot: "b", keepingStates: [], keepingTimers: [])
        }
        let log = directory.appendingPathComponent("_system/commits.log")
        #expect(try Data(contentsOf: log).isEmpty)
        let reopened = try JSONFileStorage(directory: directory.path)
        #expect(try await reopened.pendingOutbox(limit: 10).map(\.id) == ["o2"])
        #expect(try await reopened.load(bot: "b", userID: "u", now: 0).values[StorageKey(.user, "k")]?.value == 1)
    }

    /// An earlier version kept one file per pending event, message and seen id: they move into
    /// the journals on open, and the ids of handled events stay remembered.
    @Test func anEarlierVersionsFilesMoveIn() async throws {
        let directory = try temporaryDirectory()
        _ = try JSONFileStorage(directory: directory.path)
        let system = directory.appendingPathComponent("_system")
        // Written the way that version wrote them: the record's Codable form, pretty.
        let waiting = InboxEntry(bot: "b", event: .message("later", from: "u", id: "w2"))
        try ValueEncoder.encode(waiting).prettyJSON.write(
            to: system.appendingPathComponent("inbox/00000000000000000003_b%3Aw2.json"), atomically: true,
            encoding: .utf8)
        try "4000000000".write(to: system.appendingPathComponent("seen/b%3Aw2.json"), atomically: true, encoding: .utf8)
        try "4000000000".write(to: system.appendingPathComponent("seen/b%3Aw1.json"), atomically: true, encoding: .utf8)
        try ValueEncoder.encode(message("o5")).prettyJSON.write(
            to: system.appendingPathComponent("outbox/00000000000000000005_o5.json"), atomically: true, encoding: .utf8)
        let reopened = try JSONFileStorage(directory: directory.path)
        #expect(try await reopened.pendingOutbox(limit: 10).map(\.id) == ["o5"])
        let handled = InboxEntry(bot: "b", event: .message("again", from: "u", id: "w1"))
        #expect(try await reopened.accept([handled], rememberUntil: 4e9).isEmpty)
        let pending = try await reopened.pendingInbox(limit: 10)
        #expect(pending == [waiting])
        #expect(try await reopened.deadLetterCount() == 0)
        for folder in ["inbox", "seen", "outbox"] {
            let left = try FileManager.default.contentsOfDirectory(atPath: system.appendingPathComponent(folder).path)
            #expect(left.filter { $0.hasSuffix(".json") }.isEmpty, "\(folder) has no per-item files left")
        }
        #expect(try await reopened.accept(pending, rememberUntil: 4e9).isEmpty, "a pending id is still refused")
    }

    /// Decision traces go to one log per user, not a file per ring slot; the newest write of a
    /// slot wins, a removal hides it, and a compacted log keeps only the newest.
    @Test func tracesAreOneLogPerUser() async throws {
        let directory = try temporaryDirectory()
        let storage = try JSONFileStorage(directory: directory.path)
        let bot = TraceSettings.namespace("b")
        for (slot, text) in [("t0", "first"), ("t1", "second"), ("t0", "third")] {
            var commit = UserCommit(bot: bot, userID: "u")
            commit.writes[StorageKey(.table, slot)] = StoredValue(.string(text))
            try await storage.commit(commit)
        }
        var erase = UserCommit(bot: bot, userID: "u")
        erase.writes[StorageKey(.table, "t1")] = .some(nil)
        try await storage.commit(erase)
        let values = try await storage.load(bot: bot, userID: "u", now: 0).values
        #expect(values == [StorageKey(.table, "t0"): StoredValue(.string("third"))])
        let tableFiles = try FileManager.default.contentsOfDirectory(
            atPath: directory.appendingPathComponent("table_cache").path)
        #expect(tableFiles.isEmpty)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("_system/traces").path)
                == ["b%23traces_u.log"])

        let log = TraceLog(folder: directory.appendingPathComponent("small"), compactionBytes: 200)
        try FileManager.default.createDirectory(at: log.folder, withIntermediateDirectories: true)
        for round in 0..<20 {
            try log.append(
                [CodableCommit.Write(key: StorageKey(.table, "t\(round % 2)"), value: StoredValue(.int(round)))],
                bot: bot, user: "u")
        }
        let kept = try log.load(bot: bot, user: "u")
        #expect(
            kept.map(\.key.key) == ["t0", "t1"] && kept.map(\.value) == [StoredValue(.int(18)), StoredValue(.int(19))])
        let size =
            try FileManager.default.attributesOfItem(
                atPath: log.folder.appendingPathComponent("b%23traces_u.log").path)[.size] as? Int
        #expect((size ?? .max) <= 200 + 100, "compacted")
    }

    /// Timers are claimed from an order by due time: a start replayed on open is there once, a
    /// restarted timer only at its new time, and a claim takes the earliest first.
    @Test func dueTimersAreClaimedOnceEarliestFirst() async throws {
        let directory = try temporaryDirectory()
        func start(_ name: String, due: Double, generation: String) -> UserCommit {
            var commit = UserCommit(bot: "b", userID: "u")
            commit.timers[name] = .start(
                TimerRecord(bot: "b", userID: "u", name: name, startedAt: 0, dueAt: due, generation: generation))
            return commit
        }
        do {
            let storage = try JSONFileStorage(directory: directory.path)
            try await storage.commit(start("late", due: 9, generation: "g1"))
            try await storage.commit(start("early", due: 3, generation: "g1"))
            try await storage.commit(start("moved", due: 1, generation: "g1"))
            try await storage.commit(start("moved", due: 8, generation: "g2"))
        }
        let reopened = try JSONFileStorage(directory: directory.path)
        #expect(try await reopened.nextTimerDue() == 3)
        let claimed = try await reopened.claimDueTimers(now: 10, limit: 10, lease: 30)
        #expect(claimed.map(\.name) == ["early", "moved", "late"])
        #expect(claimed.first { $0.name == "moved" }?.generation == "g2")
        #expect(try await reopened.claimDueTimers(now: 10, limit: 10, lease: 30).isEmpty, "leased")
        #expect(try await reopened.timerCount() == 3)
    }
}
