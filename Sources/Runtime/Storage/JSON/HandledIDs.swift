import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The ids of events the JSON backend's commits handled, remembered until Meta stops
/// redelivering them: `_system/handled.log`, one `UNTIL<TAB>ID` line each, appended with every
/// batch of commits (one `write`, no file per event) and rewritten without forgotten ids by
/// `purge`. An in-memory map answers acceptance's "seen before?" without touching the disk.
///
/// The commit log holds each id too, until a checkpoint has synced this file, so a crash never
/// forgets one.
final class HandledIDs: Sendable {
    private struct State {
        var descriptor: Int32
        var until: [String: Double]
    }

    let path: String
    private let state: Mutex<State>

    /// Opens (creating) the file at `path` and reads it; a last line cut short by a crash is skipped.
    init(path: String) throws {
        self.path = path
        var until: [String: Double] = [:]
        if let data = FileManager.default.contents(atPath: path) {
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                let parts = line.split(separator: "\t", maxSplits: 1)
                guard parts.count == 2, let time = Double(parts[0]), time.isFinite else { continue }
                until[String(parts[1])] = time
            }
        }
        let descriptor = try FileDescriptor.open(path, flags: O_APPEND)
        state = Mutex(State(descriptor: descriptor, until: until))
    }

    deinit {
        state.withLock { _ = close($0.descriptor) }
    }

    /// Whether a commit handled `id`.
    func contains(_ id: String) -> Bool {
        state.withLock { $0.until[id] != nil }
    }

    /// Remembers handled ids; they count as handled from now on.
    func insert(_ entries: [(id: String, until: Double)]) throws {
        guard !entries.isEmpty else { return }
        let text = entries.reduce(into: "") { $0 += "\($1.until)\t\($1.id)\n" }
        try state.withLock { state in
            for entry in entries { state.until[entry.id] = entry.until }
            try FileDescriptor.write(text, to: state.descriptor, path: path)
        }
    }

    /// Forgets ids remembered until `now` or earlier, rewriting the file; returns how many went.
    func purge(now: Double) throws -> Int {
        try state.withLock { state in
            let before = state.until.count
            state.until = state.until.filter { $0.value > now }
            guard state.until.count < before else { return 0 }
            let text = state.until.reduce(into: "") { $0 += "\($1.value)\t\($1.key)\n" }
            let temporary = path + ".tmp"
            let descriptor = try FileDescriptor.open(temporary, flags: O_TRUNC)
            defer { close(descriptor) }
            try FileDescriptor.write(text, to: descriptor, path: temporary)
            guard fsync(descriptor) == 0, rename(temporary, path) == 0 else {
                throw FileDescriptor.error("rename", path)
            }
            close(state.descriptor)
            state.descriptor = try FileDescriptor.open(path, flags: O_APPEND)
            return before - state.until.count
        }
    }
}
