import Foundation
import RuleEngine
import Runtime
import Testing

/// An inbox event whose commit fails every time is set aside after `BotHost.maximumAttempts`
/// instead of being retried forever, and the other users' events are handled meanwhile.
struct PoisonEventTests {
    @Test func anEventThatKeepsFailingMovesToTheDeadLetters() async throws {
        let bot = try seenListBot()
        let poison = InboxEntry(bot: bot.name, event: .message("bad", from: "u1", id: "poison"))
        let fine = InboxEntry(bot: bot.name, event: .message("good", from: "u2", id: "fine"))
        let storage = RefusingStorage { $0.inboxID == poison.id && !($0.writes.isEmpty && $0.appends.isEmpty) }
        let host = BotHost(bots: BotSet([bot]), storage: storage, sender: RecordingSender(), time: VirtualTime())
        _ = try await storage.accept([poison, fine], rememberUntil: 1e9)
        for attempt in 1...BotHost.maximumAttempts {
            await host.drainInbox()
            let pending = try await storage.pendingInbox(limit: 10).map(\.event.id)
            #expect(pending == (attempt < BotHost.maximumAttempts ? ["poison"] : []), "after attempt \(attempt)")
        }
        let letters = try await storage.deadLetters(limit: 10)
        #expect(letters.map(\.id) == ["poison"])
        #expect(letters.first?.reason.hasPrefix("failed \(BotHost.maximumAttempts) times") == true)
        let snapshot = try await storage.load(bot: bot.name, userID: "u2", now: 0)
        #expect(snapshot.values[StorageKey(.user, "seen")]?.value == .array(["good"]))
    }

    /// A timer whose firing can never be committed was fired again every lease (30 s) for ever.
    @Test func aTimerThatKeepsFailingIsRemovedIntoTheDeadLetters() async throws {
        let bot = try reminderBot(firing: #"- set: { key: user.reminded, value: "=now" }"#)
        let storage = RefusingStorage { commit in
            commit.timers.values.contains { if case .fired = $0 { true } else { false } } && !commit.writes.isEmpty
        }
        let time = VirtualTime(start: 1000)
        let host = BotHost(bots: BotSet([bot]), storage: storage, sender: RecordingSender(), time: time)
        await host.handle(InboxEntry(bot: bot.name, event: .message("hi", from: "u1")))
        for attempt in 1...BotHost.maximumAttempts {
            time.advance(by: 61)
            #expect(await host.fireDueTimers() == 1, "attempt \(attempt)")
        }
        time.advance(by: 61)
        #expect(await host.fireDueTimers() == 0, "set aside, not fired again")
        #expect(try await storage.timerCount() == 0)
        let letters = try await storage.deadLetters(limit: 10)
        #expect(letters.count == 1)
        #expect(letters.first?.id.hasPrefix("timer:") == true)
    }
}

/// A timer whose rule always fails (here: past its step budget) is removed with one dead letter,
/// not fired again at every lease with a new dead letter each time.
struct FailingTimerRuleTests {
    @Test func theTimerIsRemovedAtTheFirstFailure() async throws {
        let bot = try reminderBot(
            firing:
                #"- reply: "{{#each vars.l as a}}{{#each vars.l as b}}{{#each vars.l as c}}{{/each}}{{/each}}{{/each}}""#
        )
        let storage = MemoryStorage()
        let time = VirtualTime(start: 1000)
        let host = BotHost(bots: BotSet([bot]), storage: storage, sender: RecordingSender(), time: time)
        await host.handle(InboxEntry(bot: bot.name, event: .message("hi", from: "u1")))
        time.advance(by: 61)
        #expect(await host.fireDueTimers() == 1)
        time.advance(by: 61)
        #expect(await host.fireDueTimers() == 0)
        #expect(try await storage.timerCount() == 0)
        #expect(try await storage.deadLetterCount() == 1)
    }
}

/// Memory storage that refuses the commits `refuses` picks, as a value too large for a backend
/// would be refused on every attempt.
private final class RefusingStorage: StorageWrapper {
    let base: any BotStorage = MemoryStorage()
    let refuses: @Sendable (UserCommit) -> Bool

    init(refusing refuses: @escaping @Sendable (UserCommit) -> Bool) {
        self.refuses = refuses
    }

    var kindName: String { "Refusing" }

    func commit(_ commit: UserCommit) async throws {
        if refuses(commit) {
            throw RuntimeError.storage("value too large")
        }
        try await base.commit(commit)
    }
}

/// A bot whose every message starts a one-minute timer that runs `action` when it fires.
func reminderBot(firing action: String) throws -> LoadedBot {
    try loadBot(
        """
        vars:
          l: [\((0..<100).map(String.init).joined(separator: ", "))]
        timers:
          remind: 1m
        rules:
          - when: message
            do:
              - restart_timer: remind
          - when: { timer: remind }
            do:
              \(action)
        """)
}
