import Foundation
import GRDB
import RuleEngine
import Synchronization

/// The default storage: one SQLite file in WAL mode, commits grouped into shared transactions.
public final class SQLiteStorage: BotStorage {
    private let pool: DatabasePool
    private let counter = StatisticsCounter()
    private let cache: SnapshotCache
    private let batcher: CommitBatcher<SQLiteSchema.Write>
    private let journal: InboxJournal
    private let seen: SeenFilter
    /// A connection of its own for acceptance's duplicate check: that check runs on the request's
    /// thread, and waiting there for one of the pool's readers can deadlock the task pool.
    private let seenReader: DatabaseQueue
    /// Start-up clears timer leases and takes over the inbox journal, so a second process on the
    /// same file would steal the first one's work; this keeps it out.
    private let owner: OwnerLock

    /// Opens (creating if needed) the database at `path`; throws a readable error when it cannot.
    /// `pageSize` (bytes, a power of two from 512 to 65536) applies only when the file is new;
    /// `cachedUsers` bounds the snapshot cache (`SnapshotCache.defaultCapacity`).
    public init(path: String, pageSize: Int = 2048, cachedUsers: Int = SnapshotCache.defaultCapacity) throws {
        cache = SnapshotCache(capacity: cachedUsers)
        // SQLite ignores other sizes without a word; say so instead.
        guard (512...65536).contains(pageSize), pageSize.nonzeroBitCount == 1 else {
            throw RuntimeError.storage("SQLite page size \(pageSize) is not a power of two from 512 to 65536")
        }
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // Each event dirties a few pages in different places (the user's row, its timer, the
            // outbox), so smaller pages write less to the WAL. `Benchmarks runtime` compares
            // SQLite's usual 4 KB; over three sessions 2 KB ran 0.82-1.18x of it (README,
            // "Storage"), so the two are within this machine's noise.
            try db.execute(sql: "PRAGMA page_size = \(pageSize)")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA cache_size = -65536")
            // Fewer, larger checkpoints copy hot pages fewer times but stall the writer longer;
            // 2000 pages kept the webhook p99 near 20 ms instead of 70 ms at 16384 (measured on
            // 4 KB pages, so 8 MB then; 4 MB now).
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 2000")
        }
        do {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            owner = try OwnerLock(path: path + ".lock", guarding: "SQLite database '\(path)'")
            pool = try DatabasePool(path: path, configuration: configuration)
            try pool.write { db in try SQLiteSchema.create(db) }
            // Only this process uses the file, so leases left by a crashed run are void.
            try pool.write { db in try db.execute(sql: "UPDATE timers SET lease_until = NULL") }
            journal = try Self.openJournal(path: path, pool)
            seen = SeenFilter(ids: try pool.read(Self.allSeenIDs))
            var readOnly = Configuration()
            readOnly.readonly = true
            seenReader = try DatabaseQueue(path: path, configuration: readOnly)
        } catch let error as RuntimeError {
            throw error
        } catch {
            throw RuntimeError.storage(
                "cannot open SQLite database '\(path)': \((error as NSError).localizedDescription)")
        }
        let pool = self.pool
        batcher = CommitBatcher { commits in
            // Nearly every batch succeeds whole, so it first runs without a savepoint per commit
            // (two statements each); if anything fails, the transaction is rolled back and the
            // batch runs again with savepoints, so only the failing commits fail.
            do {
                try await pool.write { db in
                    for commit in commits { try SQLiteSchema.apply(commit, db) }
                }
                return Array(repeating: nil, count: commits.count)
            } catch {
                if commits.count == 1 { return [error] }
            }
            return try await pool.write { db in
                commits.map { commit in
                    do {
                        try db.inSavepoint {
                            try SQLiteSchema.apply(commit, db)
                            return .commit
                        }
                        return nil
                    } catch {
                        return error
                    }
                }
            }
        }
    }

    /// SQLite.
    public var kindName: String { "SQLite" }

    /// The user's unexpired values and timers.
    public func load(bot: String, userID: String, now: Double) async throws -> UserSnapshot {
        try await cache.load(bot: bot, userID: userID, now: now, counter: counter) {
            try await pool.read { db in
                var snapshot = UserSnapshot(userID: userID)
                // Cached statements: preparing these for every load parsed and authorized them
                // again each time, 8% of a timer firing's CPU.
                let rows = try Row.fetchAll(
                    db.cachedStatement(
                        sql: """
                            SELECT scope, key, value, expires_at, id, list_next FROM kv
                            WHERE bot = ? AND user = ? AND (expires_at IS NULL OR expires_at > ?)
                            """),
                    arguments: [bot, userID, now])
                for row in rows {
                    guard let scope = Scope(rawValue: row[0]) else { continue }
                    let isList = (row[5] as Int64?) != nil
                    let value = try isList ? SQLiteSchema.listItems(kv: row[4], db) : SQLiteSchema.decode(row[2])
                    snapshot.values[StorageKey(scope, row[1])] = StoredValue(value, expiresAt: row[3])
                }
                let timers = try Row.fetchCursor(
                    db.cachedStatement(
                        sql: "SELECT name, started_at, due_at, generation FROM timers WHERE bot = ? AND user = ?"),
                    arguments: [bot, userID])
                while let row = try timers.next() {
                    let record = TimerRecord(
                        bot: bot, userID: userID, name: row[0], startedAt: row[1], dueAt: row[2], generation: row[3])
                    snapshot.timers[record.name] = record
                }
                return snapshot
            }
        }
    }

    /// Writes the commit atomically (grouped with others into one transaction).
    /// A commit that handles an inbox event stores the event's id in `seen`; a second commit of
    /// the same event is refused with `RuntimeError.alreadyHandled`.
    public func commit(_ commit: UserCommit) async throws {
        try await counter.counting {
            counter.operation()
            let encoded = SQLiteSchema.EncodedCommit(
                commit,
                rememberUntil: commit.inboxID.map {
                    journal.rememberUntil($0) ?? Date().timeIntervalSince1970 + InboxEntry.dedupeWindow
                })
            do {
                try await batcher.submit(.commit(encoded))
            } catch let error as RuntimeError where error.isAlreadyHandled {
                if let id = commit.inboxID { journal.done(id) }
                throw error
            }
            cache.apply(commit)
            if let id = commit.inboxID {
                // In the filter before it leaves the journal, so no moment finds it in neither.
                seen.insert(id)
                journal.done(id)
            }
        }
    }

    /// Leases due timers.
    public func claimDueTimers(now: Double, limit: Int, lease: Double) async throws -> [TimerRecord] {
        try await counter.counting {
            try await pool.write { db in
                let rows = try Row.fetchAll(
                    db.cachedStatement(
                        sql: """
                            SELECT bot, user, name, started_at, due_at, generation FROM timers
                            WHERE due_at <= ? AND (lease_until IS NULL OR lease_until <= ?) ORDER BY due_at LIMIT ?
                            """), arguments: [now, now, limit])
                let records = rows.map {
                    TimerRecord(
                        bot: $0[0], userID: $0[1], name: $0[2], startedAt: $0[3], dueAt: $0[4], generation: $0[5])
                }
                let statement = try db.cachedStatement(
                    sql: "UPDATE timers SET lease_until = ? WHERE bot = ? AND user = ? AND name = ?")
                for record in records {
                    try statement.execute(arguments: [now + lease, record.bot, record.userID, record.name])
                }
                return records
            }
        }
    }

    /// The earliest due time.
    public func nextTimerDue() async throws -> Double? {
        try await pool.read { db in try Double.fetchOne(db, sql: "SELECT MIN(due_at) FROM timers") }
    }

    /// Unsent messages, oldest first.
    public func pendingOutbox(limit: Int) async throws -> [OutboundMessage] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT body FROM outbox ORDER BY seq LIMIT ?", arguments: [limit]).map {
                try OutboundMessage(recordJSON: $0)
            }
        }
    }

    /// Removes sent messages.
    public func removeOutbox(ids: [String]) async throws {
        guard !ids.isEmpty else { return }
        try await batcher.submit(.sent(outboxIDs: ids))
    }

    /// Appends new events to the inbox journal. An id is new when it is neither pending nor in
    /// `seen` (the ids of handled events); the request's thread does the write itself.
    public func accept(_ events: [InboxEntry], rememberUntil: Double) async throws -> [InboxEntry] {
        try await counter.counting {
            let claimed = journal.reserve(events)
            defer { journal.release(claimed) }
            let maybe = claimed.map(\.id).filter(seen.mayContain)
            let handled = maybe.isEmpty ? [] : try Self.handledIDs(maybe, seenReader)
            let accepted = handled.isEmpty ? claimed : claimed.filter { !handled.contains($0.id) }
            try journal.append(accepted, rememberUntil: rememberUntil)
            return accepted.map(\.entry)
        }
    }

    /// Events accepted but not yet committed, in arrival order.
    public func pendingInbox(limit: Int) async throws -> [InboxEntry] {
        journal.pending(limit: limit)
    }

    /// Every handled id, for the Bloom filter.
    @Sendable private static func allSeenIDs(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT id FROM seen")
    }

    /// Which of `ids` a commit already handled.
    private static func handledIDs(_ ids: [String], _ reader: some DatabaseReader) throws -> Set<String> {
        try reader.read { db in
            let statement = try db.cachedStatement(sql: "SELECT 1 FROM seen WHERE id = ?")
            return Set(try ids.filter { try Bool.fetchOne(statement, arguments: [$0]) != nil })
        }
    }

    /// Opens the inbox journal. Events an older version left in its `inbox` table move into the
    /// journal first; that version also stored their ids in `seen` on arrival, so those ids go.
    private static func openJournal(path: String, _ pool: DatabasePool) throws -> InboxJournal {
        let legacy = try pool.read { db -> [(InboxEntry, rememberUntil: Double)]? in
            guard try db.tableExists("inbox") else { return nil }
            return try Row.fetchAll(
                db, sql: "SELECT body, seen.expires_at FROM inbox LEFT JOIN seen USING (id) ORDER BY seq"
            ).map {
                let until = ($0[1] as Double?) ?? Date().timeIntervalSince1970 + InboxEntry.dedupeWindow
                return (try InboxEntry(recordJSON: $0[0]), until)
            }
        }
        let legacyIDs = Set((legacy ?? []).map(\.0.id))
        let journal = try InboxJournal(base: path, recovered: legacy ?? []) { ids in
            try handledIDs(ids.filter { !legacyIDs.contains($0) }, pool)
        }
        if legacy != nil {
            try pool.write { db in
                let forget = try db.cachedStatement(sql: "DELETE FROM seen WHERE id = ?")
                for id in legacyIDs { try forget.execute(arguments: [id]) }
                try db.execute(sql: "DROP TABLE inbox")
            }
        }
        if !journal.quarantinedLines.isEmpty {
            // Counted and shown with every other dead letter; the raw lines also stay in the file.
            let now = Date().timeIntervalSince1970
            let reason =
                "an inbox journal line could not be read back; it is kept in \(InboxJournal.quarantinePath(path))"
            let letters = journal.quarantinedLines.map { line in
                DeadLetter.unreadable("journal-line", reason: reason, raw: line, at: now)
            }
            try pool.write { db in try insert(letters, db) }
        }
        return journal
    }

    /// Moves users out of removed states and cancels removed timers, in one transaction.
    public func migrate(bot: String, keepingStates states: Set<String>, keepingTimers timers: Set<String>) async throws
        -> MigrationCounts
    {
        defer { cache.removeAll() }
        return try await pool.write { db in
            let machines = try Row.fetchAll(
                db, sql: "SELECT user, value FROM kv WHERE bot = ? AND scope = 'state' AND key = ?",
                arguments: [bot, StorageKey.machine.key])
            var users = 0
            for row in machines {
                let value = try SQLiteSchema.decode(row[1])
                guard let name = value["name"].string, !states.contains(name) else { continue }
                try db.execute(
                    sql: "DELETE FROM kv WHERE bot = ? AND user = ? AND scope = 'state'",
                    arguments: [bot, row[0] as String])
                users += 1
            }
            var cancelled = 0
            for name in try String.fetchAll(db, sql: "SELECT DISTINCT name FROM timers WHERE bot = ?", arguments: [bot])
            where !timers.contains(name) {
                try db.execute(sql: "DELETE FROM timers WHERE bot = ? AND name = ?", arguments: [bot, name])
                cancelled += db.changesCount
            }
            return MigrationCounts(users: users, timers: cancelled)
        }
    }

    /// Users with data or timers.
    public func users(bot: String, limit: Int) async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(
                db,
                sql:
                    "SELECT user FROM kv WHERE bot = ? UNION SELECT user FROM timers WHERE bot = ? ORDER BY user LIMIT ?",
                arguments: [bot, bot, limit])
        }
    }

    /// Pending timers.
    public func timerCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM timers") ?? 0 }
    }

    /// Deletes expired values and forgotten ids.
    public func purgeExpired(now: Double) async throws -> Int {
        let (expired, forgotten) = try await pool.write { db in
            try db.execute(sql: "DELETE FROM kv WHERE expires_at IS NOT NULL AND expires_at <= ?", arguments: [now])
            let expired = db.changesCount
            try db.execute(sql: "DELETE FROM seen WHERE expires_at <= ?", arguments: [now])
            return (expired, db.changesCount)
        }
        if seen.purged(forgotten) {
            try await seen.rebuild { try await pool.read(Self.allSeenIDs) }
        }
        return expired + forgotten
    }

    /// Counters.
    public func statistics() -> CacheStatistics { counter.snapshot }

    /// Keeps the dead letters in their own table, the newest `DeadLetter.capacity`.
    public func quarantine(_ letters: [DeadLetter]) async throws {
        guard !letters.isEmpty else { return }
        try await pool.write { db in try Self.insert(letters, db) }
    }

    static func insert(_ letters: [DeadLetter], _ db: Database) throws {
        let insert = try db.cachedStatement(sql: "INSERT INTO dead_letters (body) VALUES (?)")
        for letter in letters { try insert.execute(arguments: [letter.recordJSON]) }
        try db.execute(
            sql: "DELETE FROM dead_letters WHERE seq <= (SELECT MAX(seq) FROM dead_letters) - ?",
            arguments: [DeadLetter.capacity])
    }

    /// The dead letters, newest first.
    public func deadLetters(limit: Int) async throws -> [DeadLetter] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT body FROM dead_letters ORDER BY seq DESC LIMIT ?", arguments: [limit])
        }.map(DeadLetter.init(recordJSON:))
    }

    /// How many dead letters are kept.
    public func deadLetterCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dead_letters") ?? 0 }
    }
}
