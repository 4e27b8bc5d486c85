import Foundation

/// Notices when bot files change by polling modification time and size; the library then
/// compares content hashes, so an untouched file is never recompiled. Polling (not inotify on
/// the file) sees every editor's way of saving, including rename-over and delete-and-recreate.
struct FileWatcher: Sendable {
    struct Stamp: Equatable {
        var modified: Date?
        var size: Int?
    }

    let paths: [String]

    func stamps() -> [String: Stamp] {
        var stamps: [String: Stamp] = [:]
        for path in paths {
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            stamps[path] = Stamp(
                modified: attributes?[.modificationDate] as? Date, size: (attributes?[.size] as? NSNumber)?.intValue)
        }
        return stamps
    }
}
