import Foundation
import RuleEngine
import Testing

/// The bots we ship compile without a single diagnostic, and their pictures are stable.
struct ShippedBotTests {
    static var botFiles: [String] {
        let folder = Golden.repositoryRoot().appendingPathComponent("bots")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }

    static func compile(_ name: String) throws -> CompileResult {
        let url = Golden.repositoryRoot().appendingPathComponent("bots/\(name)")
        let source = try String(contentsOf: url, encoding: .utf8)
        return BotCompiler().compile(source: source, file: "bots/\(name)")
    }

    @Test func shipsBothSeedBots() {
        #expect(Self.botFiles.contains("json_cache.yaml"))
        #expect(Self.botFiles.contains("expiry.yaml"))
        #expect(Self.botFiles.contains("appointments.yaml"))
    }

    @Test(arguments: botFiles)
    func compilesWithoutDiagnostics(name: String) throws {
        let result = try Self.compile(name)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map { "\($0.location): \($0.message) [\($0.id)]" })")
        #expect(result.graph != nil)
    }

    @Test(arguments: ["json_cache.yaml", "expiry.yaml", "appointments.yaml"])
    func graphMatchesGoldenFile(name: String) throws {
        let graph = try #require(try Self.compile(name).graph)
        let base = String(name.dropLast(5))
        try Golden.assert(
            GraphExporter.export(graph, as: .mermaid),
            matches: Golden.fixtures("graphs").appendingPathComponent("\(base).mmd"))
        try Golden.assert(
            GraphExporter.export(graph, as: .dot),
            matches: Golden.fixtures("graphs").appendingPathComponent("\(base).dot"))
    }
}
