import RuleEngine
import Testing

/// The editor's questions answered from the text alone (what `rulebot lsp` serves).
struct BotOutlineTests {
    static let text = """
        states:
          idle: { initial: true }
        timers:
          nudge: 1h
        templates:
          hello: Hi
        rules:
          - when: message
            do:
              - set: { key: user.city, value: "=message.text" }
              - reply: "{{ user.c }}"
              - start_timer: 
            if: 
        """
    let outline = BotOutline(text: Self.text, file: "bot.yaml")

    func labels(_ line: Int, _ column: Int) -> Set<String> {
        Set(outline.completions(line: line, column: column).map(\.label))
    }

    @Test func namesVariablesFunctionsAndKeysByPosition() {
        #expect(labels(11, 26) == ["city"], "after user.c inside {{ }}: what the bot stores under user.")
        #expect(labels(12, 22) == ["nudge"], "after start_timer:")
        let condition = labels(13, 9)
        #expect(condition.contains("message") && condition.contains("format_time"), "an if: is an expression")
        #expect(labels(8, 1).contains("rules") && labels(8, 1).contains("timers"), "top-level keys at column 1")
        #expect(labels(9, 5).contains("when") && labels(9, 5).contains("continue"), "rule keys inside a rule")
        #expect(labels(10, 9).contains("reply"), "actions at an item under do:")
    }

    @Test func declarationsAndReferences() throws {
        let declared = outline.declarations.map { "\($0.kind) \($0.name)" }
        #expect(declared == ["state idle", "timer nudge", "text hello"])
        let nudge = try #require(outline.definition(line: 4, column: 4))
        #expect(nudge.kind == "timer" && nudge.location.line == 4 && nudge.location.column == 3)
        #expect(outline.references(line: 4, column: 4).map(\.line) == [4])
        #expect(outline.hover(line: 10, column: 11)?.contains("store a value") == true)
    }
}

/// Texts and WhatsApp templates are declarations an editor completes and jumps to.
struct BotOutlineTemplateTests {
    static let text = """
        texts:
          hello: Hi
        whatsapp_templates:
          order_ready: { language: en_US }
        apis:
          desk: { base_url: "https://desk.example.org" }
        rules:
          - when: message
            fallback_template: order_ready
            do:
              - reply: { named_text: hello }
              - send_template: 
              - call:
                  api: 
        """
    let outline = BotOutline(text: Self.text, file: "bot.yaml")

    @Test func completesAndFindsBothKinds() {
        #expect(
            outline.declarations.map { "\($0.kind) \($0.name)" } == [
                "text hello", "whatsapp template order_ready", "api desk",
            ])
        #expect(outline.completions(line: 12, column: 24).map(\.label) == ["order_ready"])
        #expect(outline.completions(line: 11, column: 33).map(\.label) == ["hello"])
        #expect(outline.completions(line: 14, column: 18).map(\.label) == ["desk"])
        #expect(outline.references(line: 4, column: 4).map(\.line) == [4, 9])
    }
}
