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

    @Test func aTestFilesBotIsFoundFromItsOwnFolderWhateverTheWorkingDirectory() {
        let current = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardized.path
        let parent = URL(fileURLWithPath: current).deletingLastPathComponent().standardized.path
        #expect(TestCommand.botPath("../pizza.yaml", besides: "tests/pizza.yaml") == current + "/pizza.yaml")
        #expect(TestCommand.botPath("../pizza.yaml", besides: "pizza.yaml") == parent + "/pizza.yaml")
        #expect(TestCommand.botPath("../pizza.yaml", besides: "./tests/pizza.yaml") == current + "/pizza.yaml")
        #expect(TestCommand.botPath("/srv/pizza.yaml", besides: "tests/pizza.yaml") == "/srv/pizza.yaml")
        #expect(TestCommand.botPath("pizza.yaml", besides: "/a/tests/p.yaml") == "/a/tests/pizza.yaml")
    }

    @Test func everyShippedBotHasConversationTests() {
        #expect(Self.files == ["appointments.yaml", "expiry.yaml", "json_cache.yaml", "support.yaml"])
    }

    @Test(arguments: files)
    func conversationsPass(file: String) async throws {
        let (results, problem) = await TestCommand.runFile(
            Self.root.appendingPathComponent("bots/tests/\(file)").path, trace: false)
        #expect(problem == nil, "\(problem ?? "")")
        #expect(results.count >= 4)
        for result in results {
            #expect(result.passed, "\(result.name): \(result.failure ?? "")")
        }
    }
}
