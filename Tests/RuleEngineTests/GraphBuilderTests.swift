import Testing

@testable import RuleEngine

/// The graph is built from what the checker parsed; a part it did not produce is an error,
/// never a condition silently left out (which would make its rule always fire).
struct GraphBuilderTests {
    static let source = """
        bot: x
        templates:
          hello: "Hi {{ contact.name }}"
        rules:
          - when: message
            if: message.text == "yes"
            do:
              - reply: { template: hello }
        """

    func document() throws -> BotDocument {
        var reader = YAMLReader(file: "x.yaml")
        var diagnostics = DiagnosticBag()
        let root = try #require(reader.read(Self.source, diagnostics: &diagnostics))
        var checker = ShapeChecker(catalog: .builtIn, locator: ScalarLocator(source: Self.source))
        checker.check(root, against: .record(BotShape.file))
        var document = BotReader(file: "x.yaml", catalog: .builtIn).read(root, defaultName: "x")
        document.compiled = checker.compiled
        return document
    }

    @Test func usesTheCheckedParts() throws {
        var diagnostics = DiagnosticBag()
        let graph = try #require(GraphBuilder.build(try document(), into: &diagnostics))
        #expect(graph.rules.first?.condition?.source == "message.text == \"yes\"")
        #expect(graph.templates["hello"]?.source == "Hi {{ contact.name }}")
    }

    @Test func aPartTheCheckerDidNotProduceIsAnErrorNotADroppedCondition() throws {
        var document = try document()
        document.compiled = CompiledParts()
        var diagnostics = DiagnosticBag()
        #expect(GraphBuilder.build(document, into: &diagnostics) == nil)
        #expect(diagnostics.sorted.map(\.id) == ["internal-error", "internal-error"])
        #expect(diagnostics.sorted.map(\.location.line) == [3, 6])
    }
}
