import Foundation
import RuleEngine
import Synchronization

/// One JSON file per stored key, in the layout of Wappa's JSON cache:
/// `DIR/user_cache/KEY_USER.json`, `DIR/table_cache/…`, `DIR/state_cache/…`; timers, outbox and
/// inbox live under `DIR/_system/`. Every file is written to a temporary name and renamed, and a
/// commit is first written whole to a journal that is replayed on open, so a crash mid-commit
/// never leaves half of it. One directory holds one bot's data.
public final class JSONFileStorage: BotStorage {
    private let root: URL
    private let lock = Mutex(0)
    private let counter = StatisticsCounter()
    /// Loading a user lists the scope folders, so hot users are served from their last commit.
    private let cache: SnapshotCache
    /// The cache and the lease reset at open assume no other process writes the directory.
    private let owner: OwnerLock

    /// Opens (creating if needed) the directory, replaying any unfinished commit; `cachedUsers`
    /// bounds the snapshot cache.
    public init(directory: String, cachedUsers: Int = SnapshotCache.defaultCapacity) throws {
        cache = SnapshotCache(capacity: cachedUsers)
        root = URL(fileURLWithPath: directory, isDirectory: true)
        do {
            for folder in [
                "user_cache", "table_cache", "state_cache", "_system/timers", "_system/outbox", "_system/inbox",
                "_system/seen", "_system/journal", "_system/quarantine",
            ] {
                try FileManager.default.createDirectory(
                    at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
            }
            owner = try OwnerLock(
                path: root.appendingPathComponent("_system/owner.lock").path, guarding: "JSON storage '\(directory)'")
            try lock.withLock { _ in
                try replayJournals()
                // One process owns the directory, so leases left by a crashed run are void.
                for name in try list("_system/timers") where name.hasSuffix(".lease") {
                    try FileManager.default.removeItem(at: root.appendingPathComponent("_system/timers/\(name)"))
                }
            }
        } catch let error as RuntimeError {
            throw error
        } catch {
            throw RuntimeError.storage("cannot open JSON storage '\(directory)': \(error.localizedDescription)")
        }
        let existing =
            (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("_system/outbox").path))
            ?? []
        let highest = existing.compactMap { Int($0.prefix { $0.isNumber }) }.max() ?? 0
        lock.withLock { $0 = highest }
    }

    /// JSON.
    public var kindName: String { "JSON" }

    private struct FileRecord: Codable {
        var bot: String
        var value: Value
        var expiresAt: Double?
    }

    private func folder(_ scope: Scope) -> String { "\(scope.rawValue)_cache" }

    private func url(_ key: StorageKey, _ user: String) -> URL {
        root.appendingPathComponent(folder(key.scope)).appendingPathComponent(
            "\(SafeFileName.encode(key.key))_\(SafeFileName.encode(user)).json")
    }

    private func timerURL(_ user: String, _ name: String) -> URL {
        root.appendingPathComponent("_system/timers/\(SafeFileName.encode(user))_\(SafeFileName.encode(name)).json")
    }

    // MARK: Users

    /// The user's unexpired values and timers.
    public func load(bot: String, userID: String, now: Double) async throws -> UserSnapshot {
        try await cache.load(bot: bot, userID: userID, now: now, counter: counter) {
            try lock.withLock { _ in
                var snapshot = UserSnapshot(userID: userID)
                let suffix = "_\(SafeFileName.encode(userID)).json"
                for scope in Scope.allCases {
                    for name in try list(folder(scope)) where name.hasSuffix(suffix) {
                        let key = SafeFileName.decode(String(name.dropLast(suffix.count)))
                        guard
                            let record: FileRecord = try read(
                                root.appendingPathComponent(folder(scope)).appendingPathComponent(name)),
                            record.bot == bot
                        else { continue }
                        let stored = StoredValue(record.value, expiresAt: record.expiresAt)
                        if !stored.isExpired(at: now) { snapshot.values[StorageKey(scope, key)] = stored }
                    }
                }
                let timerPrefix = "\(SafeFileName.encode(userID))_"
                for name in try list("_system/timers") where name.hasPrefix(timerPrefix) && name.hasSuffix(".json") {
                    if let timer: TimerRecord = try read(root.appendingPathComponent("_system/timers/\(name)")),
                        timer.bot == bot
                    {
                        snapshot.timers[timer.name] = timer
                    }
                }
                return snapshot
            }
        }
    }

    /// Journals the commit, applies it file by file, then removes the journal. A commit of an
    /// event that was accepted and has already been handled is refused with
    /// `RuntimeError.alreadyHandled`.
    public func commit(_ commit: UserCommit) async throws {
        try await counter.counting {
            counter.operation()
            try lock.withLock { sequence in
                // Listed once here and handed to `apply`, which removes them.
                let pending = try commit.inboxID.map(inboxFiles(of:))
                if let id = commit.inboxID, pending?.isEmpty == true,
                    FileManager.default.fileExists(atPath: seenURL(id).path)
                {
                    throw RuntimeError.alreadyHandled
                }
                let journal = root.appendingPathComponent(
                    "_system/journal/\(SafeFileName.encode(commit.bot))_\(SafeFileName.encode(commit.userID)).json")
                var numbered: [(Int, OutboundMessage)] = []
                for message in commit.outbox {
                    sequence += 1
                    numbered.append((sequence, message))
                }
                let entry = JournalEntry(
                    commit: CodableCommit(commit),
                    outbox: numbered.map { JournalEntry.Numbered(seq: $0.0, message: $0.1) })
                try write(entry, to: journal)
                try apply(entry, inboxFiles: pending)
                try FileManager.default.removeItem(at: journal)
            }
            cache.apply(commit)
        }
    }

    /// Applies a journalled commit; `inboxFiles` are its event's pending files, when the caller
    /// already listed them.
    private func apply(_ entry: JournalEntry, inboxFiles listed: [URL]? = nil) throws {
        let commit = entry.commit
        for write in commit.writes {
            let target = url(write.key, commit.userID)
            if let stored = write.value {
                try self.write(
                    FileRecord(bot: commit.bot, value: stored.value, expiresAt: stored.expiresAt), to: target)
            } else {
                try? FileManager.default.removeItem(at: target)
            }
        }
        for change in commit.timers {
            let target = timerURL(commit.userID, change.name)
            if let record = change.start {
                try write(record, to: target)
            } else if let generation = change.firedGeneration {
                if let current: TimerRecord = try read(target), current.generation == generation {
                    try? FileManager.default.removeItem(at: target)
                }
            } else {
                try? FileManager.default.removeItem(at: target)
            }
        }
        for numbered in entry.outbox {
            let name = String(format: "%020d", numbered.seq) + "_\(SafeFileName.encode(numbered.message.id)).json"
            try write(numbered.message, to: root.appendingPathComponent("_system/outbox/\(name)"))
        }
        if let inboxID = commit.inboxID {
            for url in try listed ?? inboxFiles(of: inboxID) { try? FileManager.default.removeItem(at: url) }
        }
    }

    /// The inbox file of a pending event: none once the event is handled.
    private func inboxFiles(of id: String) throws -> [URL] {
        let suffix = "_\(SafeFileName.encode(id)).json"
        return try list("_system/inbox").filter { $0.hasSuffix(suffix) }.map {
            root.appendingPathComponent("_system/inbox/\($0)")
        }
    }

    /// The file that remembers an accepted event's id.
    private func seenURL(_ id: String) -> URL {
        root.appendingPathComponent("_system/seen/\(SafeFileName.encode(id)).json")
    }

    private func replayJournals() throws {
        for name in try list("_system/journal") where name.hasSuffix(".json") {
            let url = root.appendingPathComponent("_system/journal/\(name)")
            let entry: JournalEntry?
            do {
                entry = try read(url)
            } catch {
                // Cut short while it was written, so its commit never happened; its event is
                // still in the inbox. Kept aside, it cannot stop every later start.
                try quarantine(url, reason: "an unfinished commit's journal could not be read back: \(error)")
                continue
            }
            if let entry { try apply(entry) }
            try FileManager.default.removeItem(at: url)
        }
    }

    /// Moves a file that cannot be read back to `_system/quarantine/` and keeps a dead letter
    /// naming it. Called with `lock` held.
    private func quarantine(_ url: URL, reason: String) throws {
        let raw = String(decoding: (try? Data(contentsOf: url)) ?? Data(), as: UTF8.self)
        let target = root.appendingPathComponent("_system/quarantine/\(url.lastPathComponent)")
        try? FileManager.default.removeItem(at: target)
        try FileManager.default.moveItem(at: url, to: target)
        try appendDeadLetters([
            .unreadable(
                url.lastPathComponent, reason: "\(reason); the file is kept in _system/quarantine", raw: raw,
                at: Date().timeIntervalSince1970)
        ])
    }

    /// Adds to the dead letters file, keeping the newest `DeadLetter.capacity`. Called with `lock` held.
    private func appendDeadLetters(_ letters: [DeadLetter]) throws {
        let kept: [String] = try read(deadLettersURL) ?? []
        try write(Array((kept + letters.map(\.recordJSON)).suffix(DeadLetter.capacity)), to: deadLettersURL)
    }

    // MARK: Timers

    private struct Lease: Codable {
        var generation: String
        var until: Double
    }

    /// Leases due timers: a lease file beside the timer names the generation it holds.
    public func claimDueTimers(now: Double, limit: Int, lease: Double) async throws -> [TimerRecord] {
        try lock.withLock { _ in
            var due: [TimerRecord] = []
            for name in try list("_system/timers") where name.hasSuffix(".json") {
                let url = root.appendingPathComponent("_system/timers/\(name)")
                guard let timer: TimerRecord = try read(url), timer.dueAt <= now else { continue }
                if let held: Lease = try read(url.appendingPathExtension("lease")), held.generation == timer.generation,
                    held.until > now
                {
                    continue
                }
                due.append(timer)
            }
            let claimed = Array(due.sorted { $0.dueAt < $1.dueAt }.prefix(limit))
            for timer in claimed {
                let leaseURL = timerURL(timer.userID, timer.name).appendingPathExtension("lease")
                try write(Lease(generation: timer.generation, until: now + lease), to: leaseURL)
            }
            return claimed
        }
    }

    /// The earliest due time.
    public func nextTimerDue() async throws -> Double? {
        try lock.withLock { _ in
            try list("_system/timers").filter { $0.hasSuffix(".json") }.compactMap { name -> Double? in
                let timer: TimerRecord? = try read(root.appendingPathComponent("_system/timers/\(name)"))
                return timer?.dueAt
            }.min()
        }
    }

    // MARK: Outbox and inbox

    /// Unsent messages, oldest first.
    public func pendingOutbox(limit: Int) async throws -> [OutboundMessage] {
        try lock.withLock { _ in
            try list("_system/outbox").sorted().prefix(limit).compactMap {
                try read(root.appendingPathComponent("_system/outbox/\($0)"))
            }
        }
    }

    /// Removes sent messages.
    public func removeOutbox(ids: [String]) async throws {
        try lock.withLock { _ in
            let suffixes = Set(ids.map { "_\(SafeFileName.encode($0)).json" })
            for name in try list("_system/outbox") where suffixes.contains(where: name.hasSuffix) {
                try? FileManager.default.removeItem(at: root.appendingPathComponent("_system/outbox/\(name)"))
            }
        }
    }

    /// Stores new events; a seen-id file per event remembers it.
    public func accept(_ events: [InboxEntry], rememberUntil: Double) async throws -> [InboxEntry] {
        try lock.withLock { sequence in
            var accepted: [InboxEntry] = []
            for entry in events {
                let seen = seenURL(entry.id)
                if FileManager.default.fileExists(atPath: seen.path) { continue }
                sequence += 1
                try write(
                    entry,
                    to: root.appendingPathComponent(
                        "_system/inbox/" + String(format: "%020d", sequence) + "_\(SafeFileName.encode(entry.id)).json")
                )
                try write(rememberUntil, to: seen)
                accepted.append(entry)
            }
            return accepted
        }
    }

    /// Events accepted but not yet committed.
    /// A file that cannot be read back is quarantined instead of blocking every other event.
    public func pendingInbox(limit: Int) async throws -> [InboxEntry] {
        try lock.withLock { _ in
            var entries: [InboxEntry] = []
            for name in try list("_system/inbox").sorted().prefix(limit) {
                let url = root.appendingPathComponent("_system/inbox/\(name)")
                do {
                    if let entry: InboxEntry = try read(url) { entries.append(entry) }
                } catch {
                    try quarantine(url, reason: "an accepted event could not be read back: \(error)")
                }
            }
            return entries
        }
    }

    /// Moves users out of removed states and cancels removed timers.
    public func migrate(bot: String, keepingStates states: Set<String>, keepingTimers timers: Set<String>) async throws
        -> MigrationCounts
    {
        defer { cache.removeAll() }
        return try lock.withLock { _ in
            var counts = MigrationCounts(users: 0, timers: 0)
            let machinePrefix = SafeFileName.encode(StorageKey.machine.key) + "_"
            let folder = root.appendingPathComponent(self.folder(.state))
            for name in try list(self.folder(.state)) where name.hasPrefix(machinePrefix) {
                guard let record: FileRecord = try read(folder.appendingPathComponent(name)), record.bot == bot,
                    let state = record.value["name"].string, !states.contains(state)
                else { continue }
                let userSuffix = String(name.dropFirst(machinePrefix.count))
                for other in try list(self.folder(.state)) where other.hasSuffix("_" + userSuffix) {
                    try? FileManager.default.removeItem(at: folder.appendingPathComponent(other))
                }
                counts.users += 1
            }
            for name in try list("_system/timers") where name.hasSuffix(".json") {
                let url = root.appendingPathComponent("_system/timers/\(name)")
                guard let timer: TimerRecord = try read(url), timer.bot == bot, !timers.contains(timer.name) else {
                    continue
                }
                try? FileManager.default.removeItem(at: url)
                counts.timers += 1
            }
            return counts
        }
    }

    /// Users with data or timers: the user is the last part of each file's name.
    public func users(bot: String, limit: Int) async throws -> [String] {
        try lock.withLock { _ in
            var users = Set<String>()
            for scope in Scope.allCases {
                let folder = root.appendingPathComponent(self.folder(scope))
                for name in try list(self.folder(scope)) where name.hasSuffix(".json") {
                    guard let underscore = name.lastIndex(of: "_") else { continue }
                    let user = SafeFileName.decode(String(name[name.index(after: underscore)...].dropLast(5)))
                    if users.contains(user) { continue }
                    guard let record: FileRecord = try read(folder.appendingPathComponent(name)), record.bot == bot
                    else {
                        continue
                    }
                    users.insert(user)
                }
            }
            for name in try list("_system/timers") where name.hasSuffix(".json") {
                let url = root.appendingPathComponent("_system/timers/\(name)")
                if let timer: TimerRecord = try read(url), timer.bot == bot { users.insert(timer.userID) }
            }
            return Array(users.sorted().prefix(limit))
        }
    }

    /// Pending timers.
    public func timerCount() async throws -> Int {
        try lock.withLock { _ in try list("_system/timers").filter { $0.hasSuffix(".json") }.count }
    }

    /// Deletes expired value files and forgotten ids.
    public func purgeExpired(now: Double) async throws -> Int {
        try lock.withLock { _ in
            var removed = 0
            for scope in Scope.allCases {
                for name in try list(folder(scope)) {
                    let url = root.appendingPathComponent(folder(scope)).appendingPathComponent(name)
                    if let record: FileRecord = try? read(url), let expiry = record.expiresAt, expiry <= now {
                        try? FileManager.default.removeItem(at: url)
                        removed += 1
                    }
                }
            }
            for name in try list("_system/seen") {
                let url = root.appendingPathComponent("_system/seen/\(name)")
                if let until: Double = try? read(url), until <= now {
                    try? FileManager.default.removeItem(at: url)
                    removed += 1
                }
            }
            return removed
        }
    }

    /// Counters.
    public func statistics() -> CacheStatistics { counter.snapshot }

    private var deadLettersURL: URL { root.appendingPathComponent("_system/dead_letters.json") }

    /// Keeps the dead letters in one file (`_system/dead_letters.json`, oldest first), rewritten
    /// whole: they are rare, and the file never holds more than `DeadLetter.capacity`.
    public func quarantine(_ letters: [DeadLetter]) async throws {
        try lock.withLock { _ in try appendDeadLetters(letters) }
    }

    /// The dead letters, newest first.
    public func deadLetters(limit: Int) async throws -> [DeadLetter] {
        let kept: [String] = try lock.withLock { _ in try read(deadLettersURL) ?? [] }
        return try kept.suffix(limit).reversed().map(DeadLetter.init(recordJSON:))
    }

    /// How many dead letters are kept.
    public func deadLetterCount() async throws -> Int {
        try lock.withLock { _ in (try read(deadLettersURL) as [String]?)?.count ?? 0 }
    }

    // MARK: Files

    private func list(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path).filter {
            !$0.hasPrefix(".")
        }
    }

    // Files go through the same JSON codec as every other backend's records: the record as a
    // `Value`, then our parser and writer. Files written by JSONEncoder before read the same.
    private func read<T: Decodable>(_ url: URL) throws -> T? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        do {
            return try ValueDecoder.decode(T.self, from: try JSONParser.parse(Array(data)))
        } catch {
            throw RuntimeError.storage("cannot read '\(url.path)': \(error)")
        }
    }

    private func write<T: Encodable>(_ value: T, to url: URL) throws {
        let data = Data(try ValueEncoder.encode(value).prettyJSON.utf8)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(UUID().uuidString).tmp")
        try data.write(to: temporary)
        // rename(2) replaces the target atomically; readers see the old file or the new one.
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw RuntimeError.storage("cannot write '\(url.path)': \(reason)")
        }
    }
}
