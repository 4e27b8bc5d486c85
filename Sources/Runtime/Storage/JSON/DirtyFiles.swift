import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The files the JSON backend wrote since its last checkpoint, which the checkpoint flushes to
/// disk one by one (with the folders holding them) before the commit log may forget them. Only
/// these files: a `sync()` of the whole machine took seconds whenever another program had much
/// unwritten data.
final class DirtyFiles: Sendable {
    private let paths = Mutex<Set<String>>([])
    /// Folders flushed at every checkpoint, so files removed from them stay removed.
    private let folders: [String]

    init(folders: [String] = []) {
        self.folders = folders
    }

    /// Notes a file written (or created, or renamed into place).
    func insert(_ path: String) {
        paths.withLock { _ = $0.insert(path) }
    }

    /// Flushes every noted file that still exists, then the folders they are in and `folders`,
    /// and forgets them.
    func flush() throws {
        // Forgotten only once flushed: a failed checkpoint leaves them for the next one.
        let pending = paths.withLock { $0 }
        var folders = Set(self.folders)
        for path in pending {
            folders.insert((path as NSString).deletingLastPathComponent)
            try Self.sync(path, missingIsFine: true)
        }
        for folder in folders { try Self.sync(folder, missingIsFine: true) }
        paths.withLock { $0.subtract(pending) }
    }

    private static func sync(_ path: String, missingIsFine: Bool) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if missingIsFine && errno == ENOENT { return }
            throw RuntimeError.storage("cannot open '\(path)' to flush it: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw RuntimeError.storage("fsync of '\(path)' failed: \(String(cString: strerror(errno)))")
        }
    }
}
