import Foundation
import RuleEngine
import Runtime
import Testing

/// Rendered output and evaluation are bounded at run time, whatever stored data or a user's
/// message makes a template do (`Tests/Fixtures/hostile/big_template_bot.yaml`).
struct EvaluationLimitsTests {
    static let hundred = "[" + (0..<100).map(String.init).joined(separator: ", ") + "]"

    static let bot = """
        bot: big
        vars:
          l: \(hundred)
        rules:
          - when: /CUBE
            do:
              - reply: "{{#each vars.l as a}}{{#each vars.l as b}}{{#each vars.l as c}}{{ a }}.{{ b }}.{{ c }} {{/each}}{{/each}}{{/each}}"
          - when: /SILENT
            do:
              - reply: "{{#each vars.l as a}}{{#each vars.l as b}}{{#each vars.l as c}}{{/each}}{{/each}}{{/each}}done"
          - when: /BUTTONS
            do:
              - reply:
                  text: "{{#each vars.l as a}}{{#each vars.l as b}}xxxxxxxxxx{{/each}}{{/each}}"
                  header: "{{ message.text }}{{ message.text }}{{ message.text }}{{ message.text }}"
                  buttons:
                    - { id: a, title: "{{ message.text }} and more" }
          - when: message
            do:
              - reply: ok
        """

    func evaluate(_ text: String, limits: RuntimeLimits = .default) throws -> Evaluation {
        let graph = try #require(BotCompiler().compile(source: Self.bot, file: "big.yaml").graph)
        let bot = try LoadedBot(graph: graph, limits: limits)
        return try Evaluator.evaluate(bot, snapshot: UserSnapshot(userID: "1"), event: .message(text), now: 1000)
    }

    @Test func aRenderedTextStopsAtTheReplyCap() throws {
        let evaluation = try evaluate("/CUBE")
        let text = try #require(evaluation.commit.outbox.first).displayText
        #expect(text.count == RuntimeLimits.default.replyCharacters, "8.7 MB before the cap")
        #expect(text.hasSuffix("…"))
        #expect(evaluation.trace.warnings.contains { $0.contains("cut to 65536 characters") })
    }

    @Test func theCapIsConfigurable() throws {
        let evaluation = try evaluate("/CUBE", limits: RuntimeLimits(replyCharacters: 100))
        #expect(try #require(evaluation.commit.outbox.first).displayText.count == 100)
    }

    @Test func anEventPastItsStepBudgetIsDroppedWithTheReason() throws {
        let error = #expect(throws: RuntimeError.self) { try self.evaluate("/SILENT") }
        #expect(error?.isBudgetExceeded == true)
        #expect(error?.description.contains("more than 1000000 template steps") == true, "\(String(describing: error))")
        #expect(try evaluate("/SILENT", limits: RuntimeLimits(evaluationSteps: 5_000_000)).commit.outbox.count == 1)
    }

    @Test func interactivePartsKeepToMetasLimitsWhateverTheyRender() throws {
        let long = String(repeating: "é", count: 30)
        let evaluation = try evaluate("/BUTTONS " + long)
        guard case .buttons(let text, let buttons, let header, _) = try #require(evaluation.commit.outbox.first).body
        else {
            Issue.record("not a buttons message")
            return
        }
        #expect(text.count == WhatsAppLimits.interactiveBody)
        #expect(header?.count == WhatsAppLimits.headerOrFooter)
        #expect(buttons.first?.title.count == WhatsAppLimits.buttonTitle)
        // The body twice: past the reply cap, then past the interactive body's limit.
        #expect(evaluation.trace.warnings.count == 4)
    }

    @Test func theHostDropsABudgetBreakerIntoTheDeadLettersAndGoesOn() async throws {
        let graph = try #require(BotCompiler().compile(source: Self.bot, file: "big.yaml").graph)
        let storage = MemoryStorage()
        let sender = RecordingSender()
        let host = BotHost(
            bots: BotSet([try LoadedBot(graph: graph)]), storage: storage, sender: sender, time: VirtualTime())
        let poison = InboxEntry(bot: "big", event: .message("/SILENT", from: "u1", id: "poison"))
        _ = try await storage.accept([poison], rememberUntil: 1e9)
        await host.handle(poison, fromInbox: true)
        #expect(try await storage.pendingInbox(limit: 10).isEmpty, "dropped for good, never retried")
        let letters = try await storage.deadLetters(limit: 10)
        #expect(letters.map(\.id) == ["poison"])
        #expect(letters.first?.kind == .event)
        #expect(letters.first?.reason.contains("template steps") == true)
        await host.handle(InboxEntry(bot: "big", event: .message("hello", from: "u1")))
        #expect(sender.drain().map(\.displayText) == ["ok"])
    }
}
