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
        let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Self.error("open", path) }
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
        var text = lines.joined(separator: "\n") + "\n"
        try state.withLock { state in
            do {
                try text.withUTF8 { bytes in
                    guard let start = bytes.baseAddress else { return }
                    var offset = 0
                    while offset < bytes.count {
                        let written = Glibc.write(state.descriptor, start + offset, bytes.count - offset)
                        if written < 0 {
                            if errno == EINTR { continue }
                            throw Self.error("write", path)
                        }
                        offset += written
                    }
                }
                if sync, fdatasync(state.descriptor) != 0 { throw Self.error("fdatasync", path) }
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
            guard ftruncate(state.descriptor, 0) == 0 else { throw Self.error("ftruncate", path) }
            state.bytes = 0
        }
    }

    private static func error(_ operation: String, _ path: String) -> RuntimeError {
        RuntimeError.storage("\(operation) of '\(path)' failed: \(String(cString: strerror(errno)))")
    }
}
