import RuleEngine
import Testing

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
