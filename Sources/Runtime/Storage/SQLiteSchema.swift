import Foundation
import GRDB
import RuleEngine

/// The SQLite tables and how a `UserCommit` is written into them.
enum SQLiteSchema {
    static func create(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS kv (
                    bot TEXT NOT NULL, user TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL,
                    value TEXT NOT NULL, expires_at REAL,
                    PRIMARY KEY (bot, user, scope, key)) WITHOUT ROWID;
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

    static func apply(_ commit: UserCommit, _ db: Database) throws {
        for (key, stored) in commit.writes {
            if let stored {
                try db.execute(
                    sql:
                        "INSERT OR REPLACE INTO kv (bot, user, scope, key, value, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [
                        commit.bot, commit.userID, key.scope.rawValue, key.key, stored.value.jsonText, stored.expiresAt,
                    ])
            } else {
                try db.execute(
                    sql: "DELETE FROM kv WHERE bot = ? AND user = ? AND scope = ? AND key = ?",
                    arguments: [commit.bot, commit.userID, key.scope.rawValue, key.key])
            }
        }
        for (name, change) in commit.timers {
            switch change {
            case .start(let t):
                try db.execute(
                    sql:
                        "INSERT OR REPLACE INTO timers (bot, user, name, started_at, due_at, generation, lease_until) VALUES (?, ?, ?, ?, ?, ?, NULL)",
                    arguments: [t.bot, t.userID, t.name, t.startedAt, t.dueAt, t.generation])
            case .cancel:
                try db.execute(
                    sql: "DELETE FROM timers WHERE bot = ? AND user = ? AND name = ?",
                    arguments: [commit.bot, commit.userID, name])
            case .fired(let generation):
                try db.execute(
                    sql: "DELETE FROM timers WHERE bot = ? AND user = ? AND name = ? AND generation = ?",
                    arguments: [commit.bot, commit.userID, name, generation])
            }
        }
        for message in commit.outbox {
            let body = String(decoding: try JSONEncoder().encode(message), as: UTF8.self)
            try db.execute(sql: "INSERT OR IGNORE INTO outbox (id, body) VALUES (?, ?)", arguments: [message.id, body])
        }
        if let inboxID = commit.inboxID {
            try db.execute(sql: "DELETE FROM inbox WHERE id = ?", arguments: [inboxID])
        }
    }

    static func decode(_ text: String) throws -> Value {
        try JSONDecoder().decode(Value.self, from: Data(text.utf8))
    }
}
