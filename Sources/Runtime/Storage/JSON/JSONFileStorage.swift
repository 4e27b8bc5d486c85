import Foundation
import RuleEngine
import Synchronization

/// One JSON file per stored key, in the layout of Wappa's JSON cache:
/// `DIR/user_cache/KEY_USER.json`, `DIR/table_cache/…`, `DIR/state_cache/…`; timers and the
/// outbox live under `DIR/_system/`. One directory holds one bot's data.
///
/// Commits are grouped: every commit waiting while a batch is written goes into the next one,
/// which costs one append to `_system/commits.log` and one `fdatasync` however many users it
/// covers (`CommitLog`); the files are then rewritten in place, and the log is replayed on open,
/// so a crash never leaves half a commit. Accepted events are appended to an inbox journal
/// (`_system/inbox/events-inbox.N`, as SQLite's are), handled events' ids to
/// `_system/handled.log` (`HandledIDs`), decision traces to one log per user (`TraceLog`), and
/// an in-memory index (`JSONIndex`) answers the outbox, timer and user-file questions, so no
/// event lists a directory.
public final class JSONFileStorage: BotStorage {
    private let files: JSONFiles
    private let log: CommitLog
    private let inbox: InboxJournal
    private let batcher: CommitBatcher<Write>
    /// Blocking file work runs here, off the concurrency pool's few threads.
    private let writer: DispatchQueue
    private let counter = StatisticsCounter()
    /// Hot users are served from their last commit.
    private let cache: SnapshotCache
    /// The cache, the in-memory index and the inbox journal assume no other process writes the directory.
    private let owner: OwnerLock

    private enum Write: Sendable {
        case commit(UserCommit, rememberUntil: Double?)
        case sent([String])
    }

    /// Opens (creating if needed) the directory, finishing any commit a crash interrupted;
    /// `cachedUsers` bounds the snapshot cache.
    public init(directory: String, cachedUsers: Int = SnapshotCache.defaultCapacity) throws {
        cache = SnapshotCache(capacity: cachedUsers)
        let root = URL(fileURLWithPath: directory, isDirectory: true)
        do {
            files = try JSONFiles(root: root)
            owner = try OwnerLock(
                path: root.appendingPathComponent("_system/owner.lock").path, guarding: "JSON storage '\(directory)'")
            let torn = try files.buildIndex()
            let legacy = try Self.legacyInbox(files)
            let legacySeen = try Self.importLegacySeen(files, except: Set(legacy.map(\.0.id)))
            log = try CommitLog(path: root.appendingPathComponent("_system/commits.log").path)
            let damaged = try Self.replay(files, log)
            for url in torn where FileManager.default.fileExists(atPath: url.path) {
                do {
                    let _: Value? = try files.read(url)
                } catch {
                    try files.quarantine(url, reason: "a timer or outbox file could not be read back: \(error)")
                }
            }
            let legacyOutbox = try files.list("_system/outbox").contains { $0.hasSuffix(".json") }
            if damaged || legacyOutbox || !legacySeen.isEmpty { try files.checkpoint(log) }
            inbox = try Self.openInbox(files, legacy: legacy)
            // Now in the inbox journal or the handled log, synced: an earlier version's files go.
            for url in legacySeen + legacy.map(\.file) { try? FileManager.default.removeItem(at: url) }
        } catch let error as RuntimeError {
            throw error
        } catch {
            throw RuntimeError.storage("cannot open JSON storage '\(directory)': \(error.localizedDescription)")
        }
        let writer = DispatchQueue(label: "rulebot.json-storage")
        self.writer = writer
        let (files, log) = (files, log)
        batcher = CommitBatcher { writes in
            try await Self.run(on: writer) { try Self.write(writes, files, log) }
        }
    }

    /// JSON.
    public var kindName: String { "JSON" }

    // MARK: Users

    /// The user's unexpired values and timers: the index names the user's files.
    public func load(bot: String, userID: String, now: Double) async throws -> UserSnapshot {
        try await cache.load(bot: bot, userID: userID, now: now, counter: counter) {
            var snapshot = UserSnapshot(userID: userID)
            let encoded = SafeFileName.encode(userID)
            for scope in Scope.allCases {
                for name in files.index.withLock({ $0.valueFiles(of: encoded, scope: scope) }) {
                    guard let record: JSONFiles.FileRecord = try files.read(files.valueURL(scope, name)),
                        record.bot == bot
                    else { continue }
                    let key = SafeFileName.decode(String(name.dropLast(encoded.count + ".json".count + 1)))
                    let stored = StoredValue(record.value, expiresAt: record.expiresAt)
                    if !stored.isExpired(at: now) { snapshot.values[StorageKey(scope, key)] = stored }
                }
            }
            snapshot.timers = files.index.withLock { $0.timers[JSONIndex.UserKey(bot: bot, user: userID)] ?? [:] }
            if TraceLog.holds(bot) {
                // Over any slot files an earlier version wrote.
                for (key, stored) in try files.traces.load(bot: bot, user: userID) {
                    snapshot.values[key] = stored.flatMap { $0.isExpired(at: now) ? nil : $0 }
                }
            }
            return snapshot
        }
    }

    /// Writes the commit atomically, grouped with others into one log append. A commit of an
    /// event that was already handled is refused with `RuntimeError.alreadyHandled`.
    public func commit(_ commit: UserCommit) async throws {
        try await counter.counting {
            counter.operation()
            let rememberUntil = commit.inboxID.map {
                inbox.rememberUntil($0) ?? Date().timeIntervalSince1970 + InboxEntry.dedupeWindow
            }
            do {
                try await batcher.submit(.commit(commit, rememberUntil: rememberUntil))
            } catch let error as RuntimeError where error.isAlreadyHandled {
                if let id = commit.inboxID { inbox.done(id) }
                throw error
            }
            cache.apply(commit)
            // Its seen file was written before it leaves the journal, so no moment finds it in neither.
            if let id = commit.inboxID { inbox.done(id) }
        }
    }

    /// Writes one batch on the writer's thread: logs every commit that is not a repeat, then applies them.
    private static func write(_ writes: [Write], _ files: JSONFiles, _ log: CommitLog) throws -> [(any Error)?] {
        var results = [(any Error)?](repeating: nil, count: writes.count)
        var records: [LogRecord] = []
        var handling = Set<String>()
        for (position, write) in writes.enumerated() {
            switch write {
            case .commit(let commit, let rememberUntil):
                if let id = commit.inboxID {
                    if handling.contains(id) || files.handled.contains(id) {
                        results[position] = RuntimeError.alreadyHandled
                        continue
                    }
                    handling.insert(id)
                }
                let numbered = files.index.withLock { index in
                    commit.outbox.map { message in
                        index.sequence += 1
                        return JournalEntry.Numbered(seq: index.sequence, message: message)
                    }
                }
                records.append(
                    LogRecord(
                        entry: JournalEntry(
                            commit: CodableCommit(commit), outbox: numbered, rememberUntil: rememberUntil)))
            case .sent(let ids):
                records.append(LogRecord(sent: ids))
            }
        }
        // A batch that only crosses off sent messages is not waited onto the disk: lost in a power
        // cut, it costs a message sent twice, never one lost, and every reply waits on one.
        let sync = records.contains { $0.entry != nil }
        try log.append(try records.map { try ValueEncoder.encode($0).jsonText }, sync: sync)
        for record in records { try apply(record, files) }
        if log.isDueForCheckpoint { try files.checkpoint(log) }
        return results
    }

    private static func apply(_ record: LogRecord, _ files: JSONFiles) throws {
        if let entry = record.entry { try files.apply(entry) }
        if let sent = record.sent { files.applySent(sent) }
    }

    /// Finishes what a crash interrupted: per-commit journals of earlier versions, then the
    /// commit log, in order. Returns whether a line of the log was damaged (and dead-lettered).
    private static func replay(_ files: JSONFiles, _ log: CommitLog) throws -> Bool {
        for name in try files.list("_system/journal") where name.hasSuffix(".json") {
            let url = files.root.appendingPathComponent("_system/journal/\(name)")
            let entry: JournalEntry?
            do {
                entry = try files.read(url)
            } catch {
                // Cut short while it was written, so its commit never happened; its event is
                // still in the inbox. Kept aside, it cannot stop every later start.
                try files.quarantine(url, reason: "an unfinished commit's journal could not be read back: \(error)")
                continue
            }
            if let entry { try files.apply(entry) }
            try FileManager.default.removeItem(at: url)
        }
        var damaged: [DeadLetter] = []
        for line in try log.lines() {
            let record: LogRecord
            do {
                record = try ValueDecoder.decode(LogRecord.self, from: try JSONParser.parse(Array(line.utf8)))
            } catch {
                damaged.append(
                    .unreadable(
                        "commits.log", reason: "a commit log line could not be read back: \(error)", raw: String(line),
                        at: Date().timeIntervalSince1970))
                continue
            }
            try apply(record, files)
        }
        if !damaged.isEmpty { try files.appendDeadLetters(damaged) }
        return !damaged.isEmpty
    }

    /// Events an earlier version kept as `_system/inbox/*.json` files, with until when their
    /// ids are remembered (from `_system/seen/`, where that version noted them on arrival).
    private static func legacyInbox(_ files: JSONFiles) throws -> [(InboxEntry, rememberUntil: Double, file: URL)] {
        var legacy: [(InboxEntry, rememberUntil: Double, file: URL)] = []
        for name in try files.list("_system/inbox").sorted() where name.hasSuffix(".json") {
            let url = files.root.appendingPathComponent("_system/inbox/\(name)")
            do {
                if let entry: InboxEntry = try files.read(url) {
                    let until: Double? = try? files.read(files.legacySeenURL(entry.id))
                    legacy.append((entry, until ?? Date().timeIntervalSince1970 + InboxEntry.dedupeWindow, url))
                }
            } catch {
                try files.quarantine(url, reason: "an accepted event could not be read back: \(error)")
            }
        }
        return legacy
    }

    /// Moves an earlier version's `_system/seen/*.json` files (except those of events still
    /// pending) into the handled log; returns every such file, to delete once that is synced.
    private static func importLegacySeen(_ files: JSONFiles, except pending: Set<String>) throws -> [URL] {
        var urls: [URL] = []
        var handled: [(id: String, until: Double)] = []
        for name in try files.list("_system/seen") where name.hasSuffix(".json") {
            let url = files.root.appendingPathComponent("_system/seen/\(name)")
            urls.append(url)
            let id = SafeFileName.decode(String(name.dropLast(".json".count)))
            if !pending.contains(id), let until: Double = try? files.read(url) { handled.append((id, until)) }
        }
        try files.handled.insert(handled)
        return urls
    }

    /// Opens the inbox journal, moving an earlier version's pending events into it first.
    private static func openInbox(_ files: JSONFiles, legacy: [(InboxEntry, rememberUntil: Double, file: URL)])
        throws -> InboxJournal
    {
        let legacyIDs = Set(legacy.map(\.0.id))
        let base = files.root.appendingPathComponent("_system/inbox/events").path
        let journal = try InboxJournal(base: base, recovered: legacy.map { ($0.0, $0.rememberUntil) }) { ids in
            Set(ids.filter { !legacyIDs.contains($0) && files.handled.contains($0) })
        }
        if !journal.quarantinedLines.isEmpty {
            let reason =
                "an inbox journal line could not be read back; it is kept in \(InboxJournal.quarantinePath(base))"
            try files.appendDeadLetters(
                journal.quarantinedLines.map {
                    DeadLetter.unreadable("journal-line", reason: reason, raw: $0, at: Date().timeIntervalSince1970)
                })
        }
        return journal
    }

    /// Runs blocking file work on `queue`.
    private static func run<T: Sendable>(on queue: DispatchQueue, _ body: @escaping @Sendable () throws -> T)
        async throws -> T
    {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    private func onWriter<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await Self.run(on: writer, body)
    }

    // MARK: Timers

    /// Leases due timers (leases are kept in memory: one process owns the directory).
    public func claimDueTimers(now: Double, limit: Int, lease: Double) async throws -> [TimerRecord] {
        files.index.withLock { $0.claim(now: now, limit: limit, lease: lease) }
    }

    /// The earliest due time.
    public func nextTimerDue() async throws -> Double? {
        files.index.withLock { $0.nextTimerDue }
    }

    /// Pending timers.
    public func timerCount() async throws -> Int {
        files.index.withLock { $0.timerCount }
    }

    // MARK: Outbox and inbox

    /// Unsent messages, oldest first.
    public func pendingOutbox(limit: Int) async throws -> [OutboundMessage] {
        files.index.withLock { $0.pendingOutbox(limit: limit) }.map(\.message)
    }

    /// Removes sent messages (logged with the next batch of commits).
    public func removeOutbox(ids: [String]) async throws {
        guard !ids.isEmpty else { return }
        try await batcher.submit(.sent(ids))
    }

    /// Appends new events to the inbox journal on the request's own thread. An id is new when it
    /// is neither pending nor handled (`HandledIDs`).
    public func accept(_ events: [InboxEntry], rememberUntil: Double) async throws -> [InboxEntry] {
        try await counter.counting {
            let claimed = inbox.reserve(events)
            defer { inbox.release(claimed) }
            let accepted = claimed.filter { !files.handled.contains($0.id) }
            try inbox.append(accepted, rememberUntil: rememberUntil)
            return accepted.map(\.entry)
        }
    }

    /// Events accepted but not yet committed, in arrival order.
    public func pendingInbox(limit: Int) async throws -> [InboxEntry] {
        inbox.pending(limit: limit)
    }

    // MARK: Maintenance

    /// Moves users out of removed states and cancels removed timers. The log is checkpointed
    /// first, so replaying it can never bring back what this removes.
    public func migrate(bot: String, keepingStates states: Set<String>, keepingTimers timers: Set<String>) async throws
        -> MigrationCounts
    {
        defer { cache.removeAll() }
        let (files, log) = (files, log)
        return try await onWriter {
            try files.checkpoint(log)
            var counts = MigrationCounts(users: 0, timers: 0)
            let machinePrefix = SafeFileName.encode(StorageKey.machine.key) + "_"
            let stateFiles = try files.list(files.folder(.state))
            for name in stateFiles where name.hasPrefix(machinePrefix) {
                guard let record: JSONFiles.FileRecord = try files.read(files.valueURL(.state, name)),
                    record.bot == bot, let state = record.value["name"].string, !states.contains(state)
                else { continue }
                let userSuffix = String(name.dropFirst(machinePrefix.count))
                for other in stateFiles where other.hasSuffix("_" + userSuffix) {
                    try? FileManager.default.removeItem(at: files.valueURL(.state, other))
                    files.index.withLock { $0.removeValueFile(other, scope: .state) }
                }
                counts.users += 1
            }
            let cancelled = files.index.withLock { index in
                index.timers.filter { $0.key.bot == bot }.values.flatMap(\.values).filter { !timers.contains($0.name) }
                    .filter { index.removeTimer(JSONIndex.TimerKey($0)) }
            }
            for timer in cancelled { try? FileManager.default.removeItem(at: files.timerURL(timer.userID, timer.name)) }
            counts.timers = cancelled.count
            return counts
        }
    }

    /// Users with data or timers: the user is the last part of each value file's name.
    public func users(bot: String, limit: Int) async throws -> [String] {
        var users = Set<String>()
        for scope in Scope.allCases {
            for name in try files.list(files.folder(scope)) where name.hasSuffix(".json") {
                guard let underscore = name.lastIndex(of: "_") else { continue }
                let user = SafeFileName.decode(String(name[name.index(after: underscore)...].dropLast(5)))
                if users.contains(user) { continue }
                guard let record: JSONFiles.FileRecord = try files.read(files.valueURL(scope, name)), record.bot == bot
                else { continue }
                users.insert(user)
            }
        }
        files.index.withLock { index in
            for key in index.timers.keys where key.bot == bot { users.insert(key.user) }
        }
        return Array(users.sorted().prefix(limit))
    }

    /// Deletes expired value files and forgotten ids.
    public func purgeExpired(now: Double) async throws -> Int {
        let files = files
        return try await onWriter {
            var removed = 0
            for scope in Scope.allCases {
                for name in try files.list(files.folder(scope)) {
                    let url = files.valueURL(scope, name)
                    if let record: JSONFiles.FileRecord = try? files.read(url), let expiry = record.expiresAt,
                        expiry <= now
                    {
                        try? FileManager.default.removeItem(at: url)
                        files.index.withLock { $0.removeValueFile(name, scope: scope) }
                        removed += 1
                    }
                }
            }
            removed += try files.handled.purge(now: now)
            return removed
        }
    }

    /// Counters.
    public func statistics() -> CacheStatistics { counter.snapshot }

    /// Keeps the dead letters in one file (`_system/dead_letters.json`, oldest first), rewritten
    /// whole: they are rare, and the file never holds more than `DeadLetter.capacity`.
    public func quarantine(_ letters: [DeadLetter]) async throws {
        let files = files
        try await onWriter { try files.appendDeadLetters(letters) }
    }

    /// The dead letters, newest first.
    public func deadLetters(limit: Int) async throws -> [DeadLetter] {
        let kept: [String] = try files.read(files.deadLettersURL) ?? []
        return try kept.suffix(limit).reversed().map(DeadLetter.init(recordJSON:))
    }

    /// How many dead letters are kept.
    public func deadLetterCount() async throws -> Int {
        (try files.read(files.deadLettersURL) as [String]?)?.count ?? 0
    }
}
