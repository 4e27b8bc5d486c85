import Foundation
import RuleEngine

#if canImport(Glibc)
    import Glibc
#endif

/// The JSON backend's decision traces: one append-only file per user
/// (`_system/traces/BOT_USER.log`), a line per write, instead of a file per ring slot. Each slot
/// as a file of its own cost a new file (an inode) per event until the user's ring wrapped, which
/// made traces the most expensive thing a commit wrote. The newest line of a key wins; past
/// `compactionBytes` the file is rewritten with only the newest of each.
struct TraceLog: Sendable {
    let folder: URL
    let compactionBytes: Int
    let dirty: DirtyFiles

    init(folder: URL, dirty: DirtyFiles = DirtyFiles(), compactionBytes: Int = 1 << 20) {
        self.folder = folder
        self.dirty = dirty
        self.compactionBytes = compactionBytes
    }

    /// Whether `bot` is a traces namespace (`TraceSettings.namespace`).
    static func holds(_ bot: String) -> Bool { bot.hasSuffix(TraceSettings.namespace("")) }

    private func url(bot: String, user: String) -> URL {
        folder.appendingPathComponent("\(SafeFileName.encode(bot))_\(SafeFileName.encode(user)).log")
    }

    /// Appends a commit's writes; called on the storage's writer thread.
    func append(_ writes: [CodableCommit.Write], bot: String, user: String) throws {
        guard !writes.isEmpty else { return }
        let path = url(bot: bot, user: user).path
        let text = try writes.map { try ValueEncoder.encode($0).jsonText + "\n" }.joined()
        let size = try FileDescriptor.write(text, toFile: path, flags: O_APPEND, mode: 0o644)
        dirty.insert(path)
        if size > compactionBytes {
            let newest = try read(path).map { CodableCommit.Write(key: $0.key, value: $0.value) }
            let compacted = try newest.map { try ValueEncoder.encode($0).jsonText + "\n" }.joined()
            let temporary = path + ".tmp"
            try FileDescriptor.write(compacted, toFile: temporary, flags: O_TRUNC, mode: 0o644)
            guard rename(temporary, path) == 0 else {
                throw RuntimeError.storage("cannot write '\(path)': \(String(cString: strerror(errno)))")
            }
        }
    }

    /// The user's newest write of each key (nil: removed); lines a crash cut short are skipped.
    func load(bot: String, user: String) throws -> [(key: StorageKey, value: StoredValue?)] {
        try read(url(bot: bot, user: user).path)
    }

    private func read(_ path: String) throws -> [(key: StorageKey, value: StoredValue?)] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var newest: [StorageKey: StoredValue?] = [:]
        var order: [StorageKey] = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let parsed = try? JSONParser.parse(Array(line.utf8)),
                let write = try? ValueDecoder.decode(CodableCommit.Write.self, from: parsed)
            else { continue }
            if newest.updateValue(write.value, forKey: write.key) == nil { order.append(write.key) }
        }
        return order.compactMap { key in newest[key].map { (key, $0) } }
    }

}
