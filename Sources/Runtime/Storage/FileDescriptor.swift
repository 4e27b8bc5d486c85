import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The few POSIX file calls the file-based journals share, with errors that name the file.
enum FileDescriptor {
    /// Opens `path` for writing, creating it (mode 0600 unless given) with the extra `flags`
    /// (`O_APPEND` or `O_TRUNC`).
    static func open(_ path: String, flags: Int32, mode: mode_t = 0o600) throws -> Int32 {
        let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, mode)
        guard descriptor >= 0 else { throw error("open", path) }
        return descriptor
    }

    /// Writes all of `text`, however many calls it takes; returns the bytes written.
    @discardableResult
    static func write(_ text: String, to descriptor: Int32, path: String) throws -> Int {
        var text = text
        return try text.withUTF8 { bytes in
            guard let start = bytes.baseAddress else { return 0 }
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, start + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw error("write", path)
                }
                offset += written
            }
            return bytes.count
        }
    }

    /// Opens `path` (creating it), writes all of `text`, fsyncs it if `sync`, and closes it;
    /// returns the file's size after. Errors name `name` (default: the path).
    @discardableResult
    static func write(
        _ text: String, toFile path: String, flags: Int32, mode: mode_t = 0o600, sync: Bool = false,
        reportedAs name: String? = nil
    ) throws -> Int {
        let descriptor = try open(path, flags: flags, mode: mode)
        defer { close(descriptor) }
        let written = try write(text, to: descriptor, path: name ?? path)
        if sync, fsync(descriptor) != 0 { throw error("fsync", name ?? path) }
        // Only an append leaves more in the file than this write put there.
        return flags & O_APPEND != 0 ? Int(lseek(descriptor, 0, SEEK_END)) : written
    }

    /// A storage error for a failed call, with the system's reason.
    static func error(_ operation: String, _ path: String) -> RuntimeError {
        RuntimeError.storage("\(operation) of '\(path)' failed: \(String(cString: strerror(errno)))")
    }
}
