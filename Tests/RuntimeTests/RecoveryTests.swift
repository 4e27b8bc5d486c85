import Foundation
import Logging
import RuleEngine
import Runtime
import Synchronization
import Testing

/// Work left in the inbox and outbox is picked up whole, however large, and never twice.
struct RecoveryTests {
    /// Memory storage whose outbox holds `messages`, as a crash would have left them.
    func storage(holding messages: [OutboundMessage]) async throws -> MemoryStorage {
        let storage = MemoryStorage()
        var commit = UserCommit(bot: "b", userID: "u")
        commit.outbox = messages
        try await storage.commit(commit)
        return storage
    }

    @Test func anInboxBacklogLargerThanOnePageIsDrainedInEachUsersOrder() async throws {
        let bot = try seenListBot()
        let storage = MemoryStorage()
        let users = ["u1", "u2", "u3"]
        let entries = (0..<25).map { i in
            InboxEntry(bot: bot.name, event: .message("\(i)", from: users[i % 3], id: "e\(i)"))
        }
        #expect(try await storage.accept(entries, rememberUntil: 10_000).count == 25)
        let host = BotHost(bots: BotSet([bot]), storage: storage, sender: RecordingSender(), time: VirtualTime())

        await host.drainInbox(page: 4)

        #expect(try await storage.pendingInbox(limit: 100).isEmpty)
        for (index, user) in users.enumerated() {
            let seen = try await storage.load(bot: bot.name, userID: user, now: 0).values[StorageKey(.user, "seen")]
            let expected = stride(from: index, to: 25, by: 3).map { Value.string("\($0)") }
            #expect(seen?.value == .array(expected), "\(user)'s events, once each and in order")
        }
    }

    @Test func aDrainHandsEachUsersEventsToTheGivenRunner() async throws {
        let bot = try seenListBot()
        let storage = MemoryStorage()
        let entries = (0..<6).map { i in
            InboxEntry(bot: bot.name, event: .message("\(i)", from: i < 3 ? "u1" : "u2", id: "e\(i)"))
        }
        _ = try await storage.accept(entries, rememberUntil: 10_000)
        let host = BotHost(bots: BotSet([bot]), storage: storage, sender: RecordingSender(), time: VirtualTime())
        let runs = Mutex(0)

        await host.drainInbox { work in
            runs.withLock { $0 += 1 }
            await work()
        }

        #expect(runs.withLock { $0 } == 2, "one piece of work per user")
        #expect(try await storage.pendingInbox(limit: 10).isEmpty)
    }

    @Test func anOutboxBacklogLargerThanOnePageIsSentOnceEach() async throws {
        let storage = try await storage(
            holding: (0..<25).map {
                OutboundMessage(id: "m\($0)", bot: "b", to: "u", body: .text("\($0)"), createdAt: 0)
            })
        let sender = RecordingSender()
        let host = BotHost(bots: BotSet(), storage: storage, sender: sender, time: VirtualTime())

        await host.dispatcher.flushPending(page: 4)

        #expect(sender.sent.map(\.id) == (0..<25).map { "m\($0)" })
        #expect(try await storage.pendingOutbox(limit: 100).isEmpty)
    }

    @Test func aSweepOfTheOutboxLeavesAMessageOnItsWayToItsDelivery() async throws {
        let message = OutboundMessage(id: "slow", bot: "b", to: "u", body: .text("hi"), createdAt: 0)
        let storage = try await storage(holding: [message])
        let sender = GatedSender()
        let host = BotHost(bots: BotSet(), storage: storage, sender: sender, time: VirtualTime())

        host.dispatcher.enqueue([message])
        let delivery = Task { await host.dispatcher.deliverDue() }
        await sender.waitUntilSending()
        await host.dispatcher.loadPending()
        sender.open()
        _ = await delivery.value
        await host.dispatcher.deliverDue()

        #expect(sender.attempts == ["slow"], "sent once, by the delivery that had it first")
        #expect(try await storage.pendingOutbox(limit: 10).isEmpty)
    }

    @Test func aMessageIsTriedUntilTheGraphAPIAcceptsItAndOnlyThenLeavesTheOutbox() async throws {
        let time = VirtualTime()
        let message = OutboundMessage(id: "kept", bot: "b", to: "u", body: .text("hi"), createdAt: time.now())
        let storage = try await storage(holding: [message])
        let sender = FlakySender(outcomes: [.retry(after: 0, reason: "down"), .retry(after: 0, reason: "down")])
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let dispatcher = OutboxDispatcher(storage: storage, sender: sender, time: time, logger: logger)

        await dispatcher.flushPending()
        while let next = await dispatcher.deliverDue() {
            #expect(try await storage.pendingOutbox(limit: 10).map(\.id) == ["kept"], "kept until accepted")
            time.set(next)
        }

        #expect(sender.attempts == ["kept", "kept", "kept"])
        #expect(try await storage.pendingOutbox(limit: 10).isEmpty)
    }

    @Test func aMessageNotAcceptedWithinADayBecomesADeadLetter() async throws {
        let time = VirtualTime()
        let message = OutboundMessage(id: "late", bot: "b", to: "u", body: .text("hi"), createdAt: time.now())
        let storage = try await storage(holding: [message])
        let sender = FlakySender(outcomes: Array(repeating: .retry(after: 3600, reason: "down"), count: 30))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let dispatcher = OutboxDispatcher(
            storage: storage, sender: sender, time: time, logger: logger, policy: RetryPolicy(jitter: 0))

        dispatcher.enqueue([message])
        while let next = await dispatcher.deliverDue() { time.set(next) }

        #expect(sender.attempts.count == 25, "tried hourly until the next retry would pass a day")
        #expect(try await storage.pendingOutbox(limit: 10).isEmpty)
        let letters = try await storage.deadLetters(limit: 10)
        #expect(letters.map(\.kind) == [.message])
        #expect(letters.first?.reason.hasPrefix("not accepted within 86400 s") == true)
    }
}

/// Holds every send until `open` is called.
final class GatedSender: MessageSender {
    private struct State {
        var attempts: [String] = []
        var isOpen = false
        var sendWaiters: [CheckedContinuation<Void, Never>] = []
        var gateWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    var attempts: [String] { state.withLock { $0.attempts } }

    func send(_ message: OutboundMessage) async -> SendOutcome {
        await withCheckedContinuation { (gate: CheckedContinuation<Void, Never>) in
            let waiters = state.withLock { state in
                state.attempts.append(message.id)
                if state.isOpen {
                    gate.resume()
                } else {
                    state.gateWaiters.append(gate)
                }
                defer { state.sendWaiters.removeAll() }
                return state.sendWaiters
            }
            for waiter in waiters { waiter.resume() }
        }
        return .sent
    }

    /// Returns once a send has started.
    func waitUntilSending() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let started = state.withLock { state in
                if state.attempts.isEmpty { state.sendWaiters.append(waiter) }
                return !state.attempts.isEmpty
            }
            if started { waiter.resume() }
        }
    }

    func open() {
        let gates = state.withLock { state in
            state.isOpen = true
            defer { state.gateWaiters.removeAll() }
            return state.gateWaiters
        }
        for gate in gates { gate.resume() }
    }
}
