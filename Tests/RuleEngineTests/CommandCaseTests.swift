import Foundation
import RuleEngine
import Testing

/// `message.command` is lowercase like the command triggers; comparing it with capitals is caught.
struct CommandCaseTests {
    @Test func comparingMessageCommandWithCapitalsIsAWarningWithTheFix() throws {
        let source = """
            rules:
              - when: command
                if: message.command != "/BOT"
                do:
                  - reply: "not the bot command"
            """
        let diagnostics = BotCompiler().compile(source: source, file: "bot.yaml").diagnostics
        let found = try #require(diagnostics.first { $0.id == "command-case" })
        #expect(found.severity == .warning)
        #expect(found.suggestion == "message.command != \"/bot\"")
        #expect(found.location.line == 3)
        let lowercase = source.replacingOccurrences(of: "/BOT", with: "/bot")
        #expect(BotCompiler().compile(source: lowercase, file: "bot.yaml").diagnostics.isEmpty)
    }
}
