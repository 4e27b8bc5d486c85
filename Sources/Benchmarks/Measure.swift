import Foundation

/// Small timing helpers.
enum Measure {
    /// Seconds taken by `body`.
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Seconds taken by an async `body`.
    static func seconds(_ body: () async throws -> Void) async rethrows -> Double {
        let start = ContinuousClock.now
        try await body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// A fresh path for a benchmark's SQLite file in the temporary directory.
    static func temporaryDatabase(_ prefix: String = "rulebot-bench") -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString).sqlite").path
    }

    /// Deletes a benchmark's SQLite file with its WAL, shared-memory and inbox journal files.
    static func removeDatabase(atPath path: String) {
        let url = URL(fileURLWithPath: path)
        let siblings =
            (try? FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)) ?? []
        for name in siblings where name.hasPrefix(url.lastPathComponent) {
            try? FileManager.default.removeItem(at: url.deletingLastPathComponent().appendingPathComponent(name))
        }
    }

    /// The median of `runs` timings of `body`.
    static func median(runs: Int, _ body: () throws -> Void) rethrows -> Double {
        var times: [Double] = []
        for _ in 0..<runs { times.append(try seconds(body)) }
        return times.sorted()[times.count / 2]
    }

    /// The value at `fraction` (0…1) of sorted `values`.
    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }

    static func format(_ value: Double, _ digits: Int = 2) -> String {
        String(format: "%.\(digits)f", value)
    }

    /// A fresh folder holding a copy of `bots/json_cache.yaml`; returns the folder and the bot's path.
    static func jsonCacheBot(_ prefix: String) throws -> (directory: URL, bot: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let bot = directory.appendingPathComponent("json_cache.yaml").path
        try String(contentsOf: repositoryRoot().appendingPathComponent("bots/json_cache.yaml"), encoding: .utf8)
            .write(toFile: bot, atomically: true, encoding: .utf8)
        return (directory, bot)
    }

    static func repositoryRoot() -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }
}

/// Prints a line unbuffered, so results survive a crash later in the run.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
