import ConversationTesting
import RuleEngine
import Runtime

/// Entry points for fuzzers: each takes any bytes and must return without crashing, hanging or
/// growing without bound. `Sources/Fuzz` drives them, with its own mutator or with libFuzzer.
public enum FuzzTargets {
    /// The targets by name.
    public static let all: [String: @Sendable ([UInt8]) -> Void] = [
        "compiler": compiler, "expression": expression, "webhook": webhook,
    ]

    /// A bot file and a conversation test file, compiled and checked like `rulebot check` does.
    @Sendable public static func compiler(_ bytes: [UInt8]) {
        let source = String(decoding: bytes, as: UTF8.self)
        let result = BotCompiler().compile(source: source, file: "fuzz.yaml")
        _ = DiagnosticRenderer(source: source).render(result.diagnostics)
        if let graph = result.graph {
            _ = GraphExporter.export(graph, as: .mermaid)
        }
        _ = ConversationParser.parse(source: source, file: "fuzz.yaml")
    }

    /// An expression (as in `if:`) and a template (as in `reply:`).
    @Sendable public static func expression(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        _ = try? CompiledExpression(text)
        _ = try? CompiledTemplate(text)
    }

    /// A webhook body as the server reads it. Every event it yields must be stored in a form
    /// that reads back, or the journal would stop the next start: that is checked here.
    @Sendable public static func webhook(_ bytes: [UInt8]) {
        guard let json = try? JSONParser.parse(bytes) else { return }
        for item in WebhookPayload.parse(json).items {
            let entry = InboxEntry(bot: "fuzz", event: item.event)
            guard let back = try? InboxEntry(recordJSON: entry.recordJSON) else {
                fatalError("an accepted event does not read back from its stored form: \(entry.recordJSON.prefix(300))")
            }
            precondition(back.id == entry.id, "an accepted event reads back with another id")
        }
    }
}
