import Foundation

/// Seed inputs: every file under the given paths (folders are read recursively).
enum Corpus {
    static func load(_ paths: ArraySlice<String>) throws -> [[UInt8]] {
        var inputs: [[UInt8]] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if !isDirectory.boolValue {
                inputs.append(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
                continue
            }
            let files = FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []
            for file in files.sorted() {
                let url = URL(fileURLWithPath: path).appendingPathComponent(file)
                var isFolder: ObjCBool = false
                if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), !isFolder.boolValue {
                    inputs.append(Array(try Data(contentsOf: url)))
                }
            }
        }
        return inputs.isEmpty ? [Array("bot: x\nrules: []\n".utf8)] : inputs
    }
}
