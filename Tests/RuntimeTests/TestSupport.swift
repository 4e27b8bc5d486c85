import Foundation
import RuleEngine
import Runtime
import Testing

/// Compiles inline YAML into a loaded bot, failing the test on any diagnostic.
func loadBot(
    _ yaml: String, registry: ActionRegistry = .builtIn, sourceLocation: Testing.SourceLocation = #_sourceLocation
) throws -> LoadedBot {
    let result = BotCompiler(catalog: registry.catalog).compile(source: yaml, file: "test.yaml")
    let errors = result.diagnostics.filter { $0.severity == .error }
    #expect(errors.isEmpty, "\(DiagnosticRenderer(source: yaml).render(errors))", sourceLocation: sourceLocation)
    let graph = try #require(result.graph as RuleGraph?, sourceLocation: sourceLocation)
    return try LoadedBot(graph: graph, registry: registry)
}

/// A bot from `bots/`.
func shippedBot(_ name: String, file: StaticString = #filePath) throws -> LoadedBot {
    let root = URL(fileURLWithPath: "\(file)").deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let source = try String(contentsOf: root.appendingPathComponent("bots/\(name)"), encoding: .utf8)
    return try loadBot(source)
}

/// A fresh temporary directory, removed by the caller with `FileManager.removeItem`.
/// A bot that appends each message's text to `user.seen`, to show which events ran, in what order.
func seenListBot() throws -> LoadedBot {
    try loadBot(
        """
        rules:
          - when: message
            do:
              - append: { key: user.seen, value: "=message.text" }
        """)
}

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("rulebot-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

extension InboundEvent {
    static func message(
        _ text: String, from user: String = "111", id: String = UUID().uuidString, at time: Double = 1000
    ) -> InboundEvent {
        .text(text, from: user, name: "Ana", id: id, at: time)
    }
}
