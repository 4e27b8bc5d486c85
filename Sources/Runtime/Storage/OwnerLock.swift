import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Keeps a second process away from storage this process owns (a SQLite file, a JSON directory):
/// an exclusive `flock` on a lock file beside the data, holding the owner's pid for the error
/// message. Within one process the lock is shared, so a storage can be reopened (tests simulate
/// restarts that way); it is released when the last storage using it goes away, and by the
/// kernel if the process dies.
final class OwnerLock: Sendable {
    private static let held = Mutex<[String: (descriptor: Int32, users: Int)]>([:])
    private let path: String

    /// Takes the lock at `path`; `what` names the storage in the error when another process has it.
    init(path: String, guarding what: String) throws {
        let path = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        try Self.held.withLock { held in
            if let entry = held[path] {
                held[path] = (entry.descriptor, entry.users + 1)
                return
            }
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw RuntimeError.storage("cannot create lock file '\(path)': \(String(cString: strerror(errno)))")
            }
            if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
                let reason = errno
                let owner = (try? String(contentsOfFile: path, encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                // Our own pid, yet not in `held`: this process let the lock go, and a child it was
                // spawning at that moment still shares the descriptor until its exec closes it.
                // That takes microseconds, so waiting for the lock here ends at once.
                if reason == EWOULDBLOCK, owner == "\(getpid())", flock(descriptor, LOCK_EX) == 0 {
                    held[path] = (descriptor, 1)
                    return
                }
                close(descriptor)
                guard reason == EWOULDBLOCK else {
                    throw RuntimeError.storage("cannot lock '\(path)': \(String(cString: strerror(reason)))")
                }
                throw RuntimeError.storage(
                    "\(what) is in use by another process\(owner.map { $0.isEmpty ? "" : " (pid \($0))" } ?? ""); "
                        + "one process owns it, so stop that one first, or run several instances on Redis")
            }
            // The pid only makes another process's error message more useful, so a failed write is ignored.
            let pid = Array("\(getpid())\n".utf8)
            _ = ftruncate(descriptor, 0)
            _ = pid.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            held[path] = (descriptor, 1)
        }
        self.path = path
    }

    deinit {
        Self.held.withLock { held in
            guard let entry = held[path] else { return }
            if entry.users > 1 {
                held[path] = (entry.descriptor, entry.users - 1)
            } else {
                close(entry.descriptor)
                held[path] = nil
            }
        }
    }
}
