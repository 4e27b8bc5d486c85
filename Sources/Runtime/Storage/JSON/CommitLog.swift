import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The JSON backend's write-ahead log: one line per record, appended for a whole batch of
/// commits with one `write` and one `fdatasync` (group commit), then applied to the files.
///
/// The log is replayed in order on open, so every record must be safe to apply again after the
/// files already show it; records are absolute (a value, a timer, a message with its number, a
/// removal), which makes them so. A checkpoint flushes the files written since the last one to disk and
/// only then empties the log, so a crash of the machine loses no acknowledged commit either.
final class CommitLog: Sendable {
    private struct State {
        var descriptor: Int32
        var bytes: Int
    }

    let path: String
    /// Past this size the next batch ends with a checkpoint.
    let checkpointBytes: Int
    private let state: Mutex<State>

    /// Opens (creating) the log at `path`; `read` gives back what is in it.
    init(path: String, checkpointBytes: Int = 8 << 20) throws {
        self.path = path
        self.checkpointBytes = checkpointBytes
        let descriptor = try FileDescriptor.open(path, flags: O_APPEND)
        let size = lseek(descriptor, 0, SEEK_END)
        state = Mutex(State(descriptor: descriptor, bytes: Int(max(size, 0))))
    }

    deinit {
        state.withLock { _ = close($0.descriptor) }
    }

    /// The complete lines in the log, in order. A last line cut short by a crash during its
    /// write belonged to a batch that was never acknowledged, so it is left out.
    func lines() throws -> [Substring] {
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        if !text.isEmpty && !text.hasSuffix("\n") { lines.removeLast() }
        return lines
    }

    /// Appends `lines` (each without its newline) and, with `sync`, waits until they are on disk.
    func append(_ lines: [String], sync: Bool = true) throws {
        guard !lines.isEmpty else { return }
        let text = lines.joined(separator: "\n") + "\n"
        try state.withLock { state in
            do {
                try FileDescriptor.write(text, to: state.descriptor, path: path)
                if sync, fdatasync(state.descriptor) != 0 { throw FileDescriptor.error("fdatasync", path) }
                state.bytes += text.utf8.count
            } catch {
                // Not acknowledged, so not kept: a partly written batch is cut off again.
                _ = ftruncate(state.descriptor, off_t(state.bytes))
                throw error
            }
        }
    }

    /// Whether the log has grown past `checkpointBytes`.
    var isDueForCheckpoint: Bool { state.withLock { $0.bytes >= checkpointBytes } }

    /// Flushes the applied files to disk (`files`), then empties the log: its records are all in the files.
    func checkpoint(flushing files: DirtyFiles) throws {
        try state.withLock { state in
            try files.flush()
            guard ftruncate(state.descriptor, 0) == 0 else { throw FileDescriptor.error("ftruncate", path) }
            state.bytes = 0
        }
    }
}
