import Foundation
import Logging
import RuleEngine
import Runtime
import Testing

/// A user's events and timer firings are evaluated in the order they were accepted or came due,
/// however long an accepted event waits for a worker.
struct TurnOrderTests {
    @Test func anEventAcceptedBeforeATimerCameDueIsEvaluatedBeforeItFires() async throws {
        let start = 1_767_261_600.0
        let time = VirtualTime(start: start)
        let storage = MemoryStorage()
        let sender = RecordingSender()
        let host = BotHost(
            bots: BotSet([try shippedBot("expiry.yaml")]), storage: storage, sender: sender, time: time)
        let user = "34600001000"

        await host.handle(InboxEntry(bot: "expiry", event: .message("one", from: user, id: "w1", at: start)))
        // The second message is accepted a second before the 15 s timer is due, but every worker
        // is busy: its work waits.
        time.advance(by: 14)
        let second = InboxEntry(bot: "expiry", event: .message("two", from: user, id: "w2", at: time.now()))
        let waiting = host.work(for: try await storage.accept([second], rememberUntil: time.now() + 86_400))
        time.advance(by: 2)
        let firing = Task { await host.fireDueTimers() }
        for _ in 0..<100 { await Task.yield() }
        await waiting()
        _ = await firing.value

        let texts = sender.sent.compactMap { message -> String? in
            if case .markRead = message.body { return nil }
            return message.displayText
        }
        #expect(texts.count == 2, "no echo: the second message restarted the timer before it fired: \(texts)")
        #expect(texts.last?.hasPrefix("💾 Message #2 stored") == true)
        let due = try await storage.nextTimerDue()
        #expect(due == start + 16 + 15, "restarted when the second message was evaluated")
    }
}
