import RuleEngine
import Testing

/// An expression written like a template is explained, with the fix.
struct TemplatedConditionTests {
    @Test func bracesInAConditionSayConditionsAreExpressions() throws {
        let source = """
            rules:
              - when: message
                if: "{{ user.count }} > 3"
                do:
                  - reply: many
            """
        let diagnostics = BotCompiler().compile(source: source, file: "bot.yaml").diagnostics
        let found = try #require(diagnostics.first { $0.id == "invalid-expression" })
        #expect(found.suggestion == "user.count > 3")
        #expect(found.notes.contains { $0.contains("without {{ }}") })
    }
}
