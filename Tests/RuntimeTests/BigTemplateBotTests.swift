import Foundation
import RuleEngine
import Runtime
import Testing

/// `Tests/Fixtures/hostile/big_template_bot.yaml` as fuzzing found it: /CUBE rendered 8.7 MB and
/// sent 2,127 messages to one user; /BUTTONS sent a 100,000-character body (Meta allows 1,024).
struct BigTemplateBotTests {
    func evaluate(_ text: String) throws -> Evaluation {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/hostile/big_template_bot.yaml")
        let bot = try loadBot(try String(contentsOf: url, encoding: .utf8))
        return try Evaluator.evaluate(bot, snapshot: UserSnapshot(userID: "1"), event: .message(text), now: 1000)
    }

    @Test(arguments: ["/CUBE", "/CUBELINES", "/LINES", "/LINE", "/STORE"])
    func everyRenderedTextStopsAtTheCap(command: String) throws {
        let evaluation = try evaluate(command)
        let cap = RuntimeLimits.default.replyCharacters
        for message in evaluation.commit.outbox { #expect(message.displayText.count <= cap) }
        for (_, stored) in evaluation.commit.writes { #expect((stored?.value.text.count ?? 0) <= cap) }
        #expect(!evaluation.trace.warnings.isEmpty, "the cut is said in the trace")
    }

    @Test func aButtonsBodyKeepsToMetasLimit() throws {
        let message = try #require(try evaluate("/BUTTONS").commit.outbox.first)
        guard case .buttons(let text, _, _, _) = message.body else {
            Issue.record("not a buttons message")
            return
        }
        #expect(text.count == WhatsAppLimits.interactiveBody)
    }
}
