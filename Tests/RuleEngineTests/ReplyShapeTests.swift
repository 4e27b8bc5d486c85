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
