import Foundation
import Testing

/// Golden files: expected output checked in beside the input. Run with `RULEBOT_RECORD=1` to
/// rewrite them; a recording run fails on purpose so it can never pass unnoticed.
enum Golden {
    static var isRecording: Bool { ProcessInfo.processInfo.environment["RULEBOT_RECORD"] == "1" }

    static func fixtures(_ folder: String, file: StaticString = #filePath) -> URL {
        URL(fileURLWithPath: "\(file)").deletingLastPathComponent().appendingPathComponent("Fixtures/\(folder)")
    }

    static func assert(_ actual: String, matches url: URL, sourceLocation: SourceLocation = #_sourceLocation) throws {
        if isRecording {
            try actual.write(to: url, atomically: true, encoding: .utf8)
            Issue.record(
                "recorded \(url.lastPathComponent); run again without RULEBOT_RECORD", sourceLocation: sourceLocation)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(actual == expected, "\(url.lastPathComponent) differs", sourceLocation: sourceLocation)
    }

    static func repositoryRoot(file: StaticString = #filePath) -> URL {
        URL(fileURLWithPath: "\(file)").deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }
}
