import Foundation
import Runtime
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// One process owns a SQLite file or a JSON directory; a second one is refused with a clear error.
struct OwnerLockTests {
    /// Holds `path` the way another process would: its own open file and `flock`, its pid inside.
    final class ForeignHolder {
        let descriptor: Int32

        init(path: String, pid: String = "4242") throws {
            descriptor = open(path, O_RDWR | O_CREAT, 0o644)
            try #require(descriptor >= 0)
            _ = Array("\(pid)\n".utf8).withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            try #require(flock(descriptor, LOCK_EX | LOCK_NB) == 0, "the lock is free to take")
        }

        deinit { close(descriptor) }
    }

    @Test func aSQLiteFileHeldByAnotherProcessIsRefusedWithItsPid() throws {
        let path = try temporaryDirectory().appendingPathComponent("db.sqlite").path
        var holder: ForeignHolder? = try ForeignHolder(path: path + ".lock")
        let error = #expect(throws: RuntimeError.self) { try SQLiteStorage(path: path) }
        #expect(
            error?.description.contains("in use by another process (pid 4242)") == true, "\(String(describing: error))")
        #expect(error?.description.contains(path) == true)
        withExtendedLifetime(holder) {}
        holder = nil
        _ = try SQLiteStorage(path: path)
    }

    @Test func aJSONDirectoryHeldByAnotherProcessIsRefused() throws {
        let directory = try temporaryDirectory().path
        _ = try JSONFileStorage(directory: directory)
        let holder = try ForeignHolder(path: directory + "/_system/owner.lock")
        let error = #expect(throws: RuntimeError.self) { try JSONFileStorage(directory: directory) }
        #expect(
            error?.description.contains("in use by another process (pid 4242)") == true, "\(String(describing: error))")
        withExtendedLifetime(holder) {}
    }

    @Test func theLockIsHeldWhileAnyStorageOfThisProcessUsesTheFile() throws {
        let path = try temporaryDirectory().appendingPathComponent("db.sqlite").path
        var first: SQLiteStorage? = try SQLiteStorage(path: path)
        var reopened: SQLiteStorage? = try SQLiteStorage(path: path)
        #expect(Self.isLocked(path + ".lock"))
        first = nil
        #expect(Self.isLocked(path + ".lock"), "the reopened storage still holds it")
        withExtendedLifetime(reopened) {}
        reopened = nil
        #expect(!Self.isLocked(path + ".lock"), "released with the last storage")
        withExtendedLifetime(first) {}
    }

    /// Whether another open file of `path` is refused the lock.
    static func isLocked(_ path: String) -> Bool {
        let descriptor = open(path, O_RDWR)
        defer { close(descriptor) }
        return flock(descriptor, LOCK_EX | LOCK_NB) != 0
    }
}
