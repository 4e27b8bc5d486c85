import Foundation
import RuleEngine
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The JSON backend's directory: where each record's file lives, reading and writing files,
/// and applying logged records to them while keeping `JSONIndex` and `HandledIDs` in step.
///
/// Writes happen on one thread at a time (the storage's writer); reads of value files may run
/// beside them and see each file whole, old or new, because every file is renamed into place.
final class JSONFiles: Sendable {
    let root: URL
    let index = Mutex(JSONIndex())
    let handled: HandledIDs
    let traces: TraceLog
    /// What the next checkpoint flushes.
    let dirty: DirtyFiles
    /// Held for each file read or written, so a reader never sees a file half rewritten.
    private let fileLock = Mutex(())

    static let folders = [
        "user_cache", "table_cache", "state_cache", "_system/timers", "_system/outbox", "_system/inbox",
        "_system/seen", "_system/journal", "_system/quarantine", "_system/traces",
    ]

    init(root: URL) throws {
        self.root = root
        for folder in Self.folders {
            try FileManager.default.createDirectory(
                at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        dirty = DirtyFiles(folders: [root.path] + Self.folders.map { root.appendingPathComponent($0).path })
        handled = try HandledIDs(path: root.appendingPathComponent("_system/handled.log").path)
        traces = TraceLog(folder: root.appendingPathComponent("_system/traces"), dirty: dirty)
        dirty.insert(handled.path)
    }

    /// A stored value as its file holds it.
    struct FileRecord: Codable {
        var bot: String
        var value: Value
        var expiresAt: Double?
    }

    // MARK: Paths

    func folder(_ scope: Scope) -> String { "\(scope.rawValue)_cache" }

    func valueName(_ key: StorageKey, _ user: String) -> String {
        "\(SafeFileName.encode(key.key))_\(SafeFileName.encode(user)).json"
    }

    func valueURL(_ scope: Scope, _ name: String) -> URL {
        root.appendingPathComponent(folder(scope)).appendingPathComponent(name)
    }

    func timerURL(_ user: String, _ name: String) -> URL {
        root.appendingPathComponent("_system/timers/\(SafeFileName.encode(user))_\(SafeFileName.encode(name)).json")
    }

    func outboxURL(_ file: String) -> URL { root.appendingPathComponent("_system/outbox/\(file)") }

    /// Where an earlier version remembered an event's id, from its arrival.
    func legacySeenURL(_ id: String) -> URL {
        root.appendingPathComponent("_system/seen/\(SafeFileName.encode(id)).json")
    }

    /// The pending outbox as of the last checkpoint; the commit log holds what came since.
    var outboxSnapshotURL: URL { root.appendingPathComponent("_system/outbox.json") }

    var deadLettersURL: URL { root.appendingPathComponent("_system/dead_letters.json") }

    // MARK: Reading the directory on open

    /// Fills the index from the files: value file names, every timer, every pending message.
    /// Returns the timer and outbox files that could not be read: a crash in the middle of
    /// rewriting one leaves it torn, and replaying the commit log writes it whole again.
    func buildIndex() throws -> [URL] {
        var unreadable: [URL] = []
        var built = JSONIndex()
        for scope in Scope.allCases {
            for name in try list(folder(scope)) where name.hasSuffix(".json") { built.addValueFile(name, scope: scope) }
        }
        for name in try list("_system/timers") {
            let url = root.appendingPathComponent("_system/timers/\(name)")
            if name.hasSuffix(".lease") {
                // Left by versions that kept leases on disk; one process owns the directory, so void.
                try FileManager.default.removeItem(at: url)
            } else if name.hasSuffix(".json") {
                do {
                    if let timer: TimerRecord = try read(url) { built.setTimer(timer) }
                } catch {
                    unreadable.append(url)
                }
            }
        }
        let snapshot: [JournalEntry.Numbered] = try read(outboxSnapshotURL) ?? []
        for numbered in snapshot { built.addOutbox(numbered) }
        // An earlier version kept one file per message; they go after the first checkpoint.
        for name in try list("_system/outbox").sorted() where name.hasSuffix(".json") {
            guard let seq = Int(name.prefix { $0.isNumber }) else { continue }
            do {
                if let message: OutboundMessage = try read(outboxURL(name)) {
                    built.addOutbox(JournalEntry.Numbered(seq: seq, message: message))
                }
            } catch {
                unreadable.append(outboxURL(name))
            }
        }
        index.withLock { $0 = built }
        return unreadable
    }

    // MARK: Applying records

    /// Applies a logged commit to the files and the index. Its event is marked handled first,
    /// so should a later write fail, the event is not handled a second time before the log
    /// completes the commit on the next open.
    func apply(_ entry: JournalEntry) throws {
        let commit = entry.commit
        if TraceLog.holds(commit.bot) {
            // A trace commit writes traces and nothing else.
            try traces.append(commit.writes, bot: commit.bot, user: commit.userID)
            return
        }
        if let id = commit.inboxID {
            try handled.insert([(id, entry.rememberUntil ?? Date().timeIntervalSince1970 + InboxEntry.dedupeWindow)])
        }
        for write in commit.writes {
            let name = valueName(write.key, commit.userID)
            let target = valueURL(write.key.scope, name)
            if let stored = write.value {
                try self.write(
                    FileRecord(bot: commit.bot, value: stored.value, expiresAt: stored.expiresAt), to: target)
                index.withLock { $0.addValueFile(name, scope: write.key.scope) }
            } else {
                try? FileManager.default.removeItem(at: target)
                index.withLock { $0.removeValueFile(name, scope: write.key.scope) }
            }
        }
        for change in commit.timers {
            let key = JSONIndex.TimerKey(JSONIndex.UserKey(bot: commit.bot, user: commit.userID), change.name)
            let target = timerURL(commit.userID, change.name)
            if let record = change.start {
                try write(record, to: target)
                index.withLock { $0.setTimer(record) }
            } else {
                let removed = index.withLock { $0.removeTimer(key, generation: change.firedGeneration) }
                if removed { try? FileManager.default.removeItem(at: target) }
            }
        }
        index.withLock { index in
            for numbered in entry.outbox { index.addOutbox(numbered) }
        }
    }

    /// Forgets sent messages.
    func applySent(_ ids: [String]) {
        index.withLock { index in
            for id in ids { index.removeOutbox(id) }
        }
    }

    /// Writes the outbox snapshot, flushes every file to disk and empties the commit log; then
    /// the per-message files of an earlier version, now in the snapshot, go.
    func checkpoint(_ log: CommitLog) throws {
        try replace(index.withLock { $0.pendingOutbox() }, at: outboxSnapshotURL)
        dirty.insert(handled.path)
        try log.checkpoint(flushing: dirty)
        for name in try list("_system/outbox") where name.hasSuffix(".json") {
            try FileManager.default.removeItem(at: outboxURL(name))
        }
    }

    // MARK: Dead letters

    /// Moves a file that cannot be read back to `_system/quarantine/` and keeps a dead letter naming it.
    func quarantine(_ url: URL, reason: String) throws {
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

    /// Adds to the dead letters file, keeping the newest `DeadLetter.capacity`.
    func appendDeadLetters(_ letters: [DeadLetter]) throws {
        let kept: [String] = try read(deadLettersURL) ?? []
        try replace(Array((kept + letters.map(\.recordJSON)).suffix(DeadLetter.capacity)), at: deadLettersURL)
    }

    // MARK: Files

    func list(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path).filter {
            !$0.hasPrefix(".")
        }
    }

    // Files go through the same JSON codec as every other backend's records: the record as a
    // `Value`, then our parser and writer. Files written by JSONEncoder before read the same.
    func read<T: Decodable>(_ url: URL) throws -> T? {
        guard let data = fileLock.withLock({ _ in FileManager.default.contents(atPath: url.path) }) else { return nil }
        do {
            return try ValueDecoder.decode(T.self, from: try JSONParser.parse(Array(data)))
        } catch {
            throw RuntimeError.storage("cannot read '\(url.path)': \(error)")
        }
    }

    /// Rewrites a file in place, for records the commit log holds: should a crash cut the write
    /// short, replaying the log writes it whole again. In place, a rewrite allocates no inode,
    /// which on ext4 cost more than everything else a commit does.
    func write<T: Encodable>(_ value: T, to url: URL) throws {
        let text = try ValueEncoder.encode(value).prettyJSON
        // Without fsync: the commit log holds each record until a checkpoint has synced the files.
        _ = try fileLock.withLock { _ in try FileDescriptor.write(text, toFile: url.path, flags: O_TRUNC, mode: 0o644) }
        dirty.insert(url.path)
    }

    /// Writes a file under a temporary name and renames it into place, for files no log
    /// protects: rename(2) replaces the target atomically, so the old file or the new one is there.
    func replace<T: Encodable>(_ value: T, at url: URL) throws {
        let text = try ValueEncoder.encode(value).prettyJSON
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(UUID().uuidString).tmp")
        try FileDescriptor.write(text, toFile: temporary.path, flags: O_TRUNC, mode: 0o644, reportedAs: url.path)
        dirty.insert(url.path)
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw RuntimeError.storage("cannot write '\(url.path)': \(reason)")
        }
    }

}
