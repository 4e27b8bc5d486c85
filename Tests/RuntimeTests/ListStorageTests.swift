import Foundation
import GRDB
import RuleEngine
import Runtime
import Testing

/// Lists written by `append` may be stored as a difference (SQLite stores lists of 64 or more
/// items one row per item); whatever the backend, what reads back must be the list the actions
/// built, across the change between short and long lists.
struct ListStorageTests {
    static let bot = """
        bot: lists
        rules:
          - when: /RESET
            do:
              - set: { key: user.log, value: ["fresh"] }
          - when: /DROP
            do:
              - delete: user.log
          - when: /TWICE
            do:
              - append: { key: user.log, value: "a", max: 80 }
              - append: { key: user.log, value: "b", max: 80 }
          - when: /FIELD
            do:
              - append: { key: user.profile.tags, value: "=message.text" }
          - when: /OVERWRITE
            do:
              - append: { key: user.log, value: "x", max: 80 }
              - set: { key: user.log, value: ["y"] }
              - append: { key: user.log, value: "z", max: 80 }
          - when: text
            do:
              - append: { key: user.log, value: "=message.text", max: 80 }
        """

    @Test(arguments: Backend.available)
    func appendedListsReadBackAfterReopening(backend: Backend) async throws {
        let bot = try loadBot(Self.bot)
        let (storage, reopen) = try backend.make()
        let host = BotHost(bots: BotSet([bot]), storage: storage, sender: RecordingSender(), time: VirtualTime())
        var expected: [String] = []
        var counter = 0
        // After every event, a freshly opened storage must read exactly the list the actions built.
        func send(_ text: String, expecting list: [String]) async throws {
            counter += 1
            await host.handle(InboxEntry(bot: "lists", event: .message(text, id: "m\(counter)", at: 1000)))
            expected = Array(list.suffix(80))
            let snapshot = try await reopen().load(bot: "lists", userID: "111", now: 1000)
            #expect(
                snapshot.values[StorageKey(.user, "log")]?.value
                    == (expected.isEmpty ? nil : .array(expected.map(Value.string))), "after \(text)")
        }

        for number in 1...90 {
            try await send("m\(number)", expecting: expected + ["m\(number)"])
        }
        try await send("/TWICE", expecting: expected + ["a", "b"])
        try await send("/RESET", expecting: ["fresh"])
        for number in 91...160 {
            try await send("m\(number)", expecting: expected + ["m\(number)"])
        }
        try await send("/OVERWRITE", expecting: ["y", "z"])
        try await send("seven", expecting: expected + ["seven"])
        try await send("/DROP", expecting: [])
        try await send("eight", expecting: ["eight"])
        try await send("/FIELD", expecting: expected)
        let cached = try await storage.load(bot: "lists", userID: "111", now: 1000)
        #expect(cached.values[StorageKey(.user, "log")]?.value == .array(["eight"]))
        #expect(cached.values[StorageKey(.user, "profile")]?.value["tags"] == .array(["/FIELD"]))
    }

    @Test(arguments: [2, 70])
    func listsWrittenBeforeListRowsStillReadAndGrow(items: Int) async throws {
        // A database from the version that stored every list as JSON in the kv row.
        let path = try temporaryDirectory().appendingPathComponent("old.sqlite").path
        let old = (1...items).map { Value.string("old\($0)") }
        try await Self.makeOldDatabase(at: path, list: .array(old))
        let storage = try SQLiteStorage(path: path)
        let bot = try loadBot(Self.bot)
        let host = BotHost(bots: BotSet([bot]), storage: storage, sender: RecordingSender(), time: VirtualTime())
        let before = try await storage.load(bot: "lists", userID: "111", now: 1000)
        #expect(before.values[StorageKey(.user, "log")]?.value == .array(old))
        await host.handle(InboxEntry(bot: "lists", event: .message("new", id: "n1", at: 1000)))
        let after = try await SQLiteStorage(path: path).load(bot: "lists", userID: "111", now: 1000)
        #expect(after.values[StorageKey(.user, "log")]?.value == .array(Array((old + ["new"]).suffix(80))))
    }

    @Test func aLongListFoundAsJSONIsRewrittenAsRowsOnAppend() async throws {
        // Today's layout, but a long list left as JSON (as an interrupted upgrade could leave it).
        let path = try temporaryDirectory().appendingPathComponent("mixed.sqlite").path
        _ = try SQLiteStorage(path: path)
        let old = (1...70).map { Value.string("old\($0)") }
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(
                sql: "INSERT INTO kv (bot, user, scope, key, value) VALUES ('lists', '111', 'user', 'log', ?)",
                arguments: [Value.array(old).storageJSON])
        }
        let host = BotHost(
            bots: BotSet([try loadBot(Self.bot)]), storage: try SQLiteStorage(path: path), sender: RecordingSender(),
            time: VirtualTime())
        await host.handle(InboxEntry(bot: "lists", event: .message("new", id: "n1", at: 1000)))
        let after = try await SQLiteStorage(path: path).load(bot: "lists", userID: "111", now: 1000)
        #expect(after.values[StorageKey(.user, "log")]?.value == .array(old + ["new"]))
        let rows = try await queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM kv_items") }
        #expect(rows == 71)
    }

    /// The old layout: the kv table without `list_next`, a list as JSON text.
    static func makeOldDatabase(at path: String, list: Value) async throws {
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE kv (
                        id INTEGER PRIMARY KEY, bot TEXT NOT NULL, user TEXT NOT NULL, scope TEXT NOT NULL,
                        key TEXT NOT NULL, value TEXT NOT NULL, expires_at REAL, UNIQUE (bot, user, scope, key));
                    """)
            try db.execute(
                sql: "INSERT INTO kv (bot, user, scope, key, value) VALUES ('lists', '111', 'user', 'log', ?)",
                arguments: [list.storageJSON])
        }
    }
}
