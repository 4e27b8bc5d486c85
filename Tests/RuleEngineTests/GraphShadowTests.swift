import RuleEngine
import Testing

/// The picture leaves out what can never happen.
struct GraphShadowTests {
    @Test func arrowsBehindACatchAllStopAreNotDrawn() throws {
        let source = """
            states:
              idle: { initial: true }
              busy: {}
              done: {}
            rules:
              - when: message
                in: busy
                do:
                  - reply: "busy, try later"
              - when: { command: /go }
                do:
                  - goto: busy
              - when: { command: /finish }
                do:
                  - goto: done
            """
        let graph = try #require(BotCompiler().compile(source: source, file: "bot.yaml").graph)
        let picture = GraphExporter.export(graph, as: .mermaid)
        #expect(picture.contains("idle --> busy: /go"))
        #expect(picture.contains("idle --> done: /finish"))
        #expect(!picture.contains("busy --> done"), "in busy the first rule takes every message:\n\(picture)")
        #expect(!picture.contains("busy --> busy: /go"))
    }
}
