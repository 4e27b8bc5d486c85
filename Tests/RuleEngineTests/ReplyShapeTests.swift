import RuleEngine
import Testing

/// A reply's parts that WhatsApp cannot combine are refused before the bot runs.
struct ReplyShapeTests {
    @Test func buttonsAndAListInOneReplyAreAnError() {
        let source = """
            rules:
              - when: message
                do:
                  - reply:
                      text: Pick one
                      buttons: [{ id: a, title: A }]
                      list:
                        button: Menu
                        sections: [{ rows: [{ id: b, title: B }] }]
            """
        let result = BotCompiler().compile(source: source, file: "bot.yaml")
        let ids = result.diagnostics.map(\.id)
        #expect(ids == ["conflicting-keys"], "\(result.diagnostics.map(\.message))")
        #expect(result.diagnostics.first?.message.contains("'buttons', 'list'") == true)
        #expect(result.graph == nil)
    }
}

/// Booleans in stored data: `true` and `false` draw nothing; words other YAML tools read as
/// booleans are text here, and the fix-it offers the boolean, never a quoted (truthy) text.
struct DataBooleanTests {
    func warnings(for value: String) -> [Diagnostic] {
        let source = """
            rules:
              - when: message
                do:
                  - set: { key: user.reminded, value: \(value) }
                  - reply: "{{ user.reminded }}"
            """
        return BotCompiler().compile(source: source, file: "bot.yaml").diagnostics.filter {
            $0.id == "yaml-ambiguous-scalar"
        }
    }

    @Test func trueAndFalseAreBooleansWithoutAWarning() {
        #expect(warnings(for: "false").isEmpty)
        #expect(warnings(for: "true").isEmpty)
        #expect(warnings(for: "\"=false\"").isEmpty)
    }

    @Test(arguments: [("no", "false"), ("off", "false"), ("False", "false"), ("yes", "true"), ("TRUE", "true")])
    func aWordOtherToolsReadAsABooleanSuggestsTheBoolean(value: String, boolean: String) {
        let found = warnings(for: value)
        #expect(found.count == 1)
        #expect(found.first?.suggestion == boolean)
        #expect(found.first?.message.contains("truthy") == true)
    }
}

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
