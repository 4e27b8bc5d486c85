import Foundation
import GRDB
import RuleEngine
import Synchronization

/// The SQLite tables and how a `UserCommit` is written into them.
enum SQLiteSchema {
    static func create(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS kv (
                    id INTEGER PRIMARY KEY,
                    bot TEXT NOT NULL, user TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL,
                    value TEXT NOT NULL, expires_at REAL,
                    UNIQUE (bot, user, scope, key));
                CREATE INDEX IF NOT EXISTS kv_expiry ON kv (expires_at) WHERE expires_at IS NOT NULL;
                CREATE TABLE IF NOT EXISTS timers (
                    bot TEXT NOT NULL, user TEXT NOT NULL, name TEXT NOT NULL,
                    started_at REAL NOT NULL, due_at REAL NOT NULL, generation TEXT NOT NULL, lease_until REAL,
                    PRIMARY KEY (bot, user, name)) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS timers_due ON timers (due_at);
                CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS inbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY, expires_at REAL NOT NULL) WITHOUT ROWID;
                """)
    }

    /// One unit of group-committed work: a user's commit, or removing a sent outbox message.
    enum Write: Sendable {
        case commit(EncodedCommit)
        case sent(outboxID: String)
        case accept(EncodedInbox)
    }

    /// Inbound events with their JSON encoded, and where to report which were new.
    final class EncodedInbox: Sendable {
        let entries: [(entry: InboxEntry, json: String)]
        let rememberUntil: Double
        let accepted = Mutex<[InboxEntry]>([])

        init(_ entries: [InboxEntry], rememberUntil: Double) {
            self.entries = entries.map { ($0, $0.recordJSON) }
            self.rememberUntil = rememberUntil
        }
    }

    static func apply(_ write: Write, _ db: Database) throws {
        switch write {
        case .commit(let encoded): try apply(encoded, db)
        case .sent(let id): try db.cachedStatement(sql: "DELETE FROM outbox WHERE id = ?").execute(arguments: [id])
        case .accept(let inbox):
            var accepted: [InboxEntry] = []
            for (entry, json) in inbox.entries {
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO seen (id, expires_at) VALUES (?, ?)")
                    .execute(arguments: [entry.id, inbox.rememberUntil])
                guard db.changesCount > 0 else { continue }
                try db.cachedStatement(sql: "INSERT INTO inbox (id, body) VALUES (?, ?)").execute(arguments: [
                    entry.id, json,
                ])
                accepted.append(entry)
            }
            inbox.accepted.withLock { $0 = accepted }
        }
    }

    /// A commit with its JSON already encoded, so the single writer only runs statements.
    struct EncodedCommit: Sendable {
        var commit: UserCommit
        var values: [(key: StorageKey, json: String?, expiresAt: Double?)]
        var outbox: [(id: String, json: String)]

        init(_ commit: UserCommit) {
            self.commit = commit
            values = commit.writes.map { key, stored in (key, stored?.value.storageJSON, stored?.expiresAt) }
            outbox = commit.outbox.map { ($0.id, $0.recordJSON) }
        }
    }

    static func apply(_ encoded: EncodedCommit, _ db: Database) throws {
        let commit = encoded.commit
        for (key, json, expiresAt) in encoded.values {
            if let json {
                try db.cachedStatement(
                    sql: """
                        INSERT INTO kv (bot, user, scope, key, value, expires_at) VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT (bot, user, scope, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
                        """
                ).execute(arguments: [commit.bot, commit.userID, key.scope.rawValue, key.key, json, expiresAt])
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
        if let inboxID = commit.inboxID {
            try db.cachedStatement(sql: "DELETE FROM inbox WHERE id = ?").execute(arguments: [inboxID])
        }
    }

    static func decode(_ text: String) throws -> Value {
        try JSONParser.parse(text)
    }
}
