import RuleEngine
import Testing

/// A key written without its colon is reported where it is, not at the line YAML trips over.
struct MissingColonTests {
    @Test func theSlipIsReportedOnItsOwnLineWithTheFix() throws {
        let source = """
            rules:
              - when /x

                do:
                  - reply: hi
            """
        let diagnostics = BotCompiler().compile(source: source, file: "bot.yaml").diagnostics
        let found = try #require(diagnostics.first)
        #expect(found.id == "yaml-syntax")
        #expect(found.message == "missing ':' after 'when'")
        #expect(found.location.line == 2 && found.location.column == 5)
        #expect(found.suggestion == "when: /x")
    }

    @Test func otherSyntaxErrorsKeepYAMLsPlace() throws {
        let source = """
            rules:
              - when: message
                do: [unclosed
            """
        let found = try #require(BotCompiler().compile(source: source, file: "bot.yaml").diagnostics.first)
        #expect(found.id == "yaml-syntax")
        #expect(!found.message.contains("missing ':'"))
    }
}
