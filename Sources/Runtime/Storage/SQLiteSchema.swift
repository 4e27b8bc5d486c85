import Foundation
import GRDB
import RuleEngine

/// The SQLite tables and how a `UserCommit` is written into them.
enum SQLiteSchema {
    /// Lists of at least this many items are stored one row per item; shorter ones as JSON.
    /// Rewriting a few KB of JSON measured cheaper than a second B-tree write per item (`Benchmarks
    /// runtime`, 50-message sessions: 17,400-18,900 events/s with 64 here against 15,400 with 24), while json_cache's
    /// 100-item history gains from rows. A list's count alone decides, so the layout of a stored
    /// list is known from the snapshot without asking the database.
    static let listRowsFrom = 64

    static func create(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS kv (
                    id INTEGER PRIMARY KEY,
                    bot TEXT NOT NULL, user TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL,
                    value TEXT NOT NULL, expires_at REAL,
                    UNIQUE (bot, user, scope, key));
                CREATE INDEX IF NOT EXISTS kv_expiry ON kv (expires_at) WHERE expires_at IS NOT NULL;
                CREATE TABLE IF NOT EXISTS kv_items (
                    kv INTEGER NOT NULL, seq INTEGER NOT NULL, value TEXT NOT NULL,
                    PRIMARY KEY (kv, seq)) WITHOUT ROWID;
                CREATE TRIGGER IF NOT EXISTS kv_items_follow_delete AFTER DELETE ON kv
                    BEGIN DELETE FROM kv_items WHERE kv = old.id; END;
                CREATE TABLE IF NOT EXISTS timers (
                    bot TEXT NOT NULL, user TEXT NOT NULL, name TEXT NOT NULL,
                    started_at REAL NOT NULL, due_at REAL NOT NULL, generation TEXT NOT NULL, lease_until REAL,
                    PRIMARY KEY (bot, user, name)) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS timers_due ON timers (due_at);
                CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY, expires_at REAL NOT NULL) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS dead_letters (seq INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL);
                """)
        // Lists are stored one item per row, so appending to a long history writes one small row
        // instead of re-encoding the whole list. `list_next` is the next item's sequence number,
        // NULL when `value` holds the JSON itself. Files made before lists had rows gain the column.
        let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(kv)").map { $0["name"] as String }
        if !columns.contains("list_next") {
            try db.execute(sql: "ALTER TABLE kv ADD COLUMN list_next INTEGER")
            try moveListsIntoRows(db)
        }
        try db.execute(
            sql: """
                CREATE TRIGGER IF NOT EXISTS kv_items_follow_unlist AFTER UPDATE OF list_next ON kv
                    WHEN old.list_next IS NOT NULL AND new.list_next IS NULL
                    BEGIN DELETE FROM kv_items WHERE kv = old.id; END;
                """)
    }

    /// Rewrites lists stored as JSON (by a version before list rows) as one row per item.
    private static func moveListsIntoRows(_ db: Database) throws {
        let rows = try Row.fetchAll(db, sql: "SELECT id, value FROM kv WHERE value LIKE '[%'")
        let insert = try db.cachedStatement(sql: "INSERT INTO kv_items (kv, seq, value) VALUES (?, ?, ?)")
        for row in rows {
            guard case .array(let items) = try decode(row[1]), items.count >= listRowsFrom else { continue }
            let id: Int64 = row[0]
            for (seq, item) in items.enumerated() { try insert.execute(arguments: [id, seq, item.storageJSON]) }
            try db.execute(
                sql: "UPDATE kv SET value = '[]', list_next = ? WHERE id = ?", arguments: [items.count, id])
        }
    }

    /// One unit of group-committed work: a user's commit, or removing a sent outbox message.
    enum Write: Sendable {
        case commit(EncodedCommit)
        case sent(outboxIDs: [String])
    }

    static func apply(_ write: Write, _ db: Database) throws {
        switch write {
        case .commit(let encoded): try apply(encoded, db)
        case .sent(let ids):
            let statement = try db.cachedStatement(sql: "DELETE FROM outbox WHERE id = ?")
            for id in ids { try statement.execute(arguments: [id]) }
        }
    }

    /// A commit with its JSON already encoded, so the single writer only runs statements.
    struct EncodedCommit: Sendable {
        var commit: UserCommit
        var values: [(key: StorageKey, value: EncodedValue?)]
        var outbox: [(id: String, json: String)]
        /// Until when the handled inbox event's id is remembered in `seen` (set when `commit.inboxID` is).
        var rememberUntil: Double?

        init(_ commit: UserCommit, rememberUntil: Double?) {
            self.commit = commit
            self.rememberUntil = rememberUntil
            values = commit.writes.map { key, stored in
                (key, stored.map { EncodedValue($0, append: commit.appends[key]) })
            }
            outbox = commit.outbox.map { ($0.id, $0.recordJSON) }
        }
    }

    /// A stored value as rows: JSON in the kv row, or a list's items, whole or as an append.
    struct EncodedValue: Sendable {
        enum Content: Sendable {
            case json(String)
            case list([String])
            /// Items appended to a list stored as rows (the whole list is in the commit's writes,
            /// for a row that turns out to hold JSON).
            case append(dropFirst: Int, items: [String])
        }
        var content: Content
        var expiresAt: Double?

        init(content: Content, expiresAt: Double?) {
            self.content = content
            self.expiresAt = expiresAt
        }

        init(_ stored: StoredValue, append: ListAppend?) {
            expiresAt = stored.expiresAt
            guard case .array(let items) = stored.value, items.count >= SQLiteSchema.listRowsFrom else {
                content = .json(stored.value.storageJSON)
                return
            }
            // The stored list had `items.count - added + dropped` items: rows already, if that was enough.
            if let append, items.count - append.items.count + append.dropFirst >= SQLiteSchema.listRowsFrom {
                content = .append(dropFirst: append.dropFirst, items: append.items.map(\.storageJSON))
            } else {
                content = .list(items.map(\.storageJSON))
            }
        }
    }

    private static func write(_ stored: EncodedValue, at key: StorageKey, of commit: UserCommit, _ db: Database)
        throws
    {
        let base: StatementArguments = [commit.bot, commit.userID, key.scope.rawValue, key.key]
        switch stored.content {
        case .json(let json):
            // A list turned into a plain value loses its items through the `kv_items_follow_unlist` trigger.
            try db.cachedStatement(
                sql: """
                    INSERT INTO kv (bot, user, scope, key, value, expires_at, list_next) VALUES (?, ?, ?, ?, ?, ?, NULL)
                    ON CONFLICT (bot, user, scope, key) DO UPDATE SET value = excluded.value,
                        expires_at = excluded.expires_at, list_next = NULL
                    """
            ).execute(arguments: base + [json, stored.expiresAt])
        case .list(let items):
            let row = try Row.fetchOne(
                try db.cachedStatement(
                    sql: """
                        INSERT INTO kv (bot, user, scope, key, value, expires_at, list_next) VALUES (?, ?, ?, ?, '[]', ?, ?)
                        ON CONFLICT (bot, user, scope, key) DO UPDATE SET value = '[]',
                            expires_at = excluded.expires_at, list_next = excluded.list_next
                        RETURNING id
                        """),
                arguments: base + [stored.expiresAt, items.count])
            let id: Int64 = try (row?[0]).orStorageError("kv upsert returned no row")
            try db.cachedStatement(sql: "DELETE FROM kv_items WHERE kv = ?").execute(arguments: [id])
            try insertItems(items, kv: id, endingBefore: Int64(items.count), db)
        case .append(let dropFirst, let items):
            // The list already has rows (the snapshot held it); advance its next sequence number.
            let row = try Row.fetchOne(
                try db.cachedStatement(
                    sql: """
                        UPDATE kv SET expires_at = ?, list_next = list_next + ?
                        WHERE bot = ? AND user = ? AND scope = ? AND key = ? AND list_next IS NOT NULL
                        RETURNING id, list_next
                        """),
                arguments: [stored.expiresAt, items.count] + base)
            guard let row else {
                // Stored as JSON after all (written by an older layout): write the whole list.
                guard case .array(let whole)?? = commit.writes[key]?.map(\.value) else {
                    throw RuntimeError.storage("append to '\(key)' has no list in its commit")
                }
                let rewrite = EncodedValue(content: .list(whole.map(\.storageJSON)), expiresAt: stored.expiresAt)
                return try write(rewrite, at: key, of: commit, db)
            }
            let id: Int64 = row[0]
            if dropFirst > 0 {
                try db.cachedStatement(
                    sql:
                        "DELETE FROM kv_items WHERE kv = ?1 AND seq IN (SELECT seq FROM kv_items WHERE kv = ?1 ORDER BY seq LIMIT ?2)"
                ).execute(arguments: [id, dropFirst])
            }
            try insertItems(items, kv: id, endingBefore: row[1], db)
        }
    }

    private static func insertItems(_ items: [String], kv id: Int64, endingBefore next: Int64, _ db: Database) throws {
        let insert = try db.cachedStatement(sql: "INSERT INTO kv_items (kv, seq, value) VALUES (?, ?, ?)")
        for (offset, item) in items.enumerated() {
            try insert.execute(arguments: [id, next - Int64(items.count) + Int64(offset), item])
        }
    }

    /// A list's items in order, as stored by `write`.
    static func listItems(kv id: Int64, _ db: Database) throws -> Value {
        let rows = try String.fetchCursor(
            try db.cachedStatement(sql: "SELECT value FROM kv_items WHERE kv = ? ORDER BY seq"), arguments: [id])
        var items: [Value] = []
        while let text = try rows.next() { items.append(try decode(text)) }
        return .array(items)
    }

    static func apply(_ encoded: EncodedCommit, _ db: Database) throws {
        let commit = encoded.commit
        if let inboxID = commit.inboxID {
            guard let rememberUntil = encoded.rememberUntil else {
                throw RuntimeError.storage("commit of inbox event '\(inboxID)' lacks how long to remember it")
            }
            // The event's id marks it handled; an id already there means this commit is a repeat.
            try db.cachedStatement(sql: "INSERT INTO seen (id, expires_at) VALUES (?, ?) ON CONFLICT DO NOTHING")
                .execute(arguments: [inboxID, rememberUntil])
            guard db.changesCount > 0 else { throw RuntimeError.alreadyHandled }
        }
        for (key, stored) in encoded.values {
            if let stored {
                try write(stored, at: key, of: commit, db)
            } else {
                try db.cachedStatement(sql: "DELETE FROM kv WHERE bot = ? AND user = ? AND scope = ? AND key = ?")
                    .execute(arguments: [commit.bot, commit.userID, key.scope.rawValue, key.key])
            }
        }
        for (name, change) in commit.timers {
            switch change {
            case .start(let t):
                try db.cachedStatement(
                    sql:
                        "INSERT OR REPLACE INTO timers (bot, user, name, started_at, due_at, generation, lease_until) VALUES (?, ?, ?, ?, ?, ?, NULL)"
                ).execute(arguments: [t.bot, t.userID, t.name, t.startedAt, t.dueAt, t.generation])
            case .cancel:
                try db.cachedStatement(sql: "DELETE FROM timers WHERE bot = ? AND user = ? AND name = ?")
                    .execute(arguments: [commit.bot, commit.userID, name])
            case .fired(let generation):
                try db.cachedStatement(
                    sql: "DELETE FROM timers WHERE bot = ? AND user = ? AND name = ? AND generation = ?"
                )
                .execute(arguments: [commit.bot, commit.userID, name, generation])
            }
        }
        for (id, json) in encoded.outbox {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO outbox (id, body) VALUES (?, ?)").execute(arguments: [
                id, json,
            ])
        }
    }

    static func decode(_ text: String) throws -> Value {
        try JSONParser.parse(text)
    }
}

extension Optional {
    fileprivate func orStorageError(_ message: String) throws -> Wrapped {
        guard let value = self else { throw RuntimeError.storage(message) }
        return value
    }
}
