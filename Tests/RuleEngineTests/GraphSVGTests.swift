import Foundation
import RuleEngine
import Testing

/// The SVG picture: every state drawn once, an arrow per moving pair, label text escaped.
struct GraphSVGTests {
    @Test func drawsEveryStateAndEscapesLabels() throws {
        let source = """
            states: { idle: { initial: true }, busy: }
            rules:
              - when: { text: "x & <y>" }
                do: [{ goto: busy }]
              - when: /BACK
                in: busy
                do: [{ goto: idle }]
            """
        let graph = try #require(BotCompiler().compile(source: source, file: "bot.yaml").graph)
        let svg = GraphExporter.export(graph, as: .svg)
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        #expect(svg.components(separatedBy: "<rect").count - 1 == 2)
        #expect(svg.components(separatedBy: "marker-end").count - 1 == 2)
        #expect(svg.contains("x &amp; &lt;y&gt;") && !svg.contains("<y>"))
    }
}
