import ConversationTesting
import Foundation
import Runtime
import Testing

@testable import Server

/// The YAML conversation tests in bots/tests run inside `swift test` too, one Swift test per file.
struct ConversationSuiteTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var files: [String] {
        let folder = root.appendingPathComponent("bots/tests").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".yaml") }
            .sorted()
    }

    @Test func bothShippedBotsHaveConversationTests() {
        #expect(Self.files == ["expiry.yaml", "json_cache.yaml"])
    }

    @Test(arguments: files)
    func conversationsPass(file: String) async throws {
        let (results, problem) = await TestCommand.runFile(
            Self.root.appendingPathComponent("bots/tests/\(file)").path, trace: false)
        #expect(problem == nil, "\(problem ?? "")")
        #expect(results.count >= 9)
        for result in results {
            #expect(result.passed, "\(result.name): \(result.failure ?? "")")
        }
    }
}
