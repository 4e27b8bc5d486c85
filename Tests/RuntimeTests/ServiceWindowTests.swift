import Foundation
import RuleEngine
import Synchronization
import Testing

@testable import Runtime

/// The 24-hour customer-service window at run time: the engine keeps the user's last message
/// time, refuses free-form sends once the window is closed, and sends the rule's fallback
/// template instead when it has one.
struct ServiceWindowTests {
    static let source = """
        whatsapp_templates:
          nudge: { language: es, body: 1 }
        timers: { late: 30h, later: 30h }
        rules:
          - when: message
            do:
              - start_timer: late
              - start_timer: later
              - reply: "open={{ window.open }}"
          - id: plain
            when: { timer: late }
            do:
              - reply: one
              - reply: two
          - id: with-fallback
            when: { timer: later }
            fallback_template: { name: nudge, body: ["{{ contact.phone }}"] }
            do:
              - reply: one
              - reply: two
        """

    func fire(_ name: String, bot: LoadedBot, snapshot: UserSnapshot, at now: Double) throws -> Evaluation {
        let timer = try #require(snapshot.timers[name])
        let event = InboundEvent(
            id: "timer:\(timer.generation)", userID: "1",
            kind: .timer(
                TimerFiring(name: name, startedAt: timer.startedAt, dueAt: timer.dueAt, generation: timer.generation)))
        return try Evaluator.evaluate(bot, snapshot: snapshot, event: event, now: now)
    }

    func afterMessage(at now: Double) throws -> (LoadedBot, UserSnapshot, Evaluation) {
        let bot = try loadBot(Self.source)
        let evaluation = try Evaluator.evaluate(
            bot, snapshot: UserSnapshot(userID: "1"), event: .message("hi", from: "1", at: now), now: now)
        var snapshot = UserSnapshot(userID: "1")
        for (key, change) in evaluation.commit.writes { snapshot.values[key] = change ?? nil }
        for (name, change) in evaluation.commit.timers {
            if case .start(let record) = change { snapshot.timers[name] = record }
        }
        return (bot, snapshot, evaluation)
    }

    @Test func aMessageOpensTheWindowAndIsKept() throws {
        let (_, snapshot, evaluation) = try afterMessage(at: 1000)
        #expect(evaluation.commit.outbox.map(\.displayText) == ["open=true"])
        #expect(snapshot.values[ServiceWindow.key]?.value == .double(1000))
    }

    @Test func freeFormAfterTheWindowIsDroppedAndNamed() throws {
        let (bot, snapshot, _) = try afterMessage(at: 1000)
        let late = try fire("late", bot: bot, snapshot: snapshot, at: 1000 + 30 * 3600)
        #expect(late.commit.outbox.isEmpty)
        #expect(late.closedWindowRules == ["plain"])
        #expect(late.trace.warnings.contains { $0.contains("24-hour window closed") && $0.contains("'plain'") })
    }

    @Test func theFallbackTemplateGoesOnceInstead() throws {
        let (bot, snapshot, _) = try afterMessage(at: 1000)
        let later = try fire("later", bot: bot, snapshot: snapshot, at: 1000 + 30 * 3600)
        #expect(later.commit.outbox.map(\.displayText) == ["[template nudge] 1"])
        #expect(later.commit.outbox.first?.rule == "with-fallback")
        #expect(later.closedWindowRules.isEmpty)
    }

    @Test func insideTheWindowTheRuleSendsItsOwnMessages() throws {
        let (bot, snapshot, _) = try afterMessage(at: 1000)
        let early = try fire("later", bot: bot, snapshot: snapshot, at: 1000 + 23 * 3600)
        #expect(early.commit.outbox.map(\.displayText) == ["one", "two"])
    }

    @Test func anImplausibleTimestampCountsAsNow() throws {
        let bot = try loadBot(Self.source)
        let now = 100 * 86400.0
        for sent in [now - 8 * 86400, now + 3600, 0] {
            let evaluation = try Evaluator.evaluate(
                bot, snapshot: UserSnapshot(userID: "1"), event: .message("hi", from: "1", at: sent), now: now)
            #expect(evaluation.commit.writes[ServiceWindow.key]??.value == .double(now))
        }
        let redelivered = try Evaluator.evaluate(
            bot, snapshot: UserSnapshot(userID: "1"), event: .message("hi", from: "1", at: now - 3 * 86400), now: now)
        #expect(redelivered.commit.writes[ServiceWindow.key]??.value == .double(now - 3 * 86400))
    }

    @Test func aSendRefusedForGoodComesBackAsSendFailed() async throws {
        let bot = try loadBot(
            """
            rules:
              - id: greet
                when: message
                do:
                  - reply: hello
              - id: failed
                when: send_failed
                do:
                  - set: { key: user.failure, value: "{{ status.error.code }} {{ status.rule }}" }
            """)
        let storage = MemoryStorage()
        let host = BotHost(
            bots: BotSet([bot]), storage: storage, sender: RefusingSender(), time: VirtualTime(start: 1000))
        await host.handle(InboxEntry(bot: bot.name, event: .message("hi", from: "7", at: 1000)))
        let snapshot = try await storage.load(bot: bot.name, userID: "7", now: 1001)
        #expect(snapshot.values[StorageKey(.user, "failure")]?.value == .string("131026 greet"))
        #expect(try await storage.pendingInbox(limit: 10).isEmpty)
    }
}

/// Refuses every message as Meta refuses an undeliverable one.
struct RefusingSender: MessageSender {
    func send(_ message: OutboundMessage) async -> SendOutcome {
        .failed(reason: "131026: (#131026) Message undeliverable")
    }
}
