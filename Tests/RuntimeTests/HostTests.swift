import Foundation
import Logging
import RuleEngine
import Runtime
import Synchronization
import Testing

struct HostTests {
    static let expiryPath = "expiry.yaml"

    @Test func timerFiresExactlyOnceAcrossARestartOnTheSameSQLiteFile() async throws {
        let bot = try shippedBot(Self.expiryPath)
        let path = try temporaryDirectory().appendingPathComponent("db.sqlite").path
        let time = VirtualTime(start: 1_000_000)
        let sender = RecordingSender()

        var storage: (any BotStorage)? = try SQLiteStorage(path: path)
        var host: BotHost? = BotHost(bots: BotSet([bot]), storage: try #require(storage), sender: sender, time: time)
        await host?.handle(InboxEntry(bot: "expiry", event: .message("before the stop", from: "u1", at: time.now())))
        #expect(sender.drain().count == 1)
        host = nil
        storage = nil

        time.advance(by: 3600)
        let restarted = BotHost(bots: BotSet([bot]), storage: try SQLiteStorage(path: path), sender: sender, time: time)
        #expect(await restarted.fireDueTimers() == 1)
        let echoes = sender.drain()
        #expect(echoes.count == 1)
        #expect(echoes.first?.displayText.contains("before the stop") == true)
        #expect(await restarted.fireDueTimers() == 0)

        let again = BotHost(bots: BotSet([bot]), storage: try SQLiteStorage(path: path), sender: sender, time: time)
        time.advance(by: 3600)
        #expect(await again.fireDueTimers() == 0)
        #expect(sender.drain().isEmpty)
    }

    @Test func eventsOfOneUserRunInOrderWhileUsersRunConcurrently() async throws {
        let bot = try seenListBot()
        let storage = try SQLiteStorage(path: try temporaryDirectory().appendingPathComponent("db.sqlite").path)
        let host = BotHost(bots: BotSet([bot]), storage: storage, sender: RecordingSender(), time: VirtualTime())
        let users = (1...20).map { "user\($0)" }
        await withTaskGroup(of: Void.self) { group in
            for user in users {
                group.addTask {
                    // Submit a user's events one after another without waiting for each to finish.
                    await withTaskGroup(of: Void.self) { inner in
                        for i in 0..<25 {
                            await Task.yield()
                            let entry = InboxEntry(
                                bot: bot.name, event: .message("\(i)", from: user, id: "\(user)-\(i)"))
                            inner.addTask { await host.handle(entry) }
                            await Task.yield()
                        }
                    }
                }
            }
        }
        for user in users {
            let seen = try await storage.load(bot: bot.name, userID: user, now: 0).values[StorageKey(.user, "seen")]?
                .value
            guard case .array(let items) = seen else {
                Issue.record("no items for \(user)")
                continue
            }
            #expect(items.count == 25, "lost writes for \(user)")
        }
    }

    @Test func aFailingActionDropsTheEventAndWritesNothing() async throws {
        var registry = ActionRegistry.builtIn
        registry.register(FailingAction())
        let bot = try loadBot(
            """
            rules:
              - when: message
                do:
                  - increment: user.count
                  - explode
            """, registry: registry)
        let storage = MemoryStorage()
        let sender = RecordingSender()
        let host = BotHost(bots: BotSet([bot]), storage: storage, sender: sender, time: VirtualTime())
        let entry = InboxEntry(bot: bot.name, event: .message("hi", id: "w1"))
        _ = try await storage.accept([entry], rememberUntil: 10)
        let outcome = await host.handle(entry, fromInbox: true)
        guard case .failed(let reason) = outcome else {
            Issue.record("expected failure, got \(outcome)")
            return
        }
        #expect(reason.contains("test.yaml:2:5"))
        #expect(try await storage.load(bot: bot.name, userID: "111", now: 0).values.isEmpty)
        #expect(try await storage.pendingInbox(limit: 10).isEmpty, "a poisoned event is not retried forever")
        #expect(sender.sent.isEmpty)
    }

    @Test func pendingOutboxIsResentAfterARestart() async throws {
        let storage = MemoryStorage()
        var commit = UserCommit(bot: "b", userID: "u")
        commit.outbox = [OutboundMessage(id: "left-over", bot: "b", to: "u", body: .text("hello"), createdAt: 0)]
        try await storage.commit(commit)
        let sender = RecordingSender()
        let host = BotHost(bots: BotSet(), storage: storage, sender: sender, time: VirtualTime())
        await host.dispatcher.flushPending()
        #expect(sender.sent.map(\.id) == ["left-over"])
        #expect(try await storage.pendingOutbox(limit: 10).isEmpty)
    }

    @Test func temporarySendFailuresAreRetriedAndPermanentOnesAreNot() async throws {
        let storage = MemoryStorage()
        let sender = FlakySender(outcomes: [.retry(after: 0, reason: "429"), .sent, .failed(reason: "131047")])
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let time = VirtualTime()
        let dispatcher = OutboxDispatcher(storage: storage, sender: sender, time: time, logger: logger)
        let messages = ["a", "b"].map {
            OutboundMessage(id: $0, bot: "b", to: "u", body: .text($0), createdAt: time.now())
        }
        var commit = UserCommit(bot: "b", userID: "u")
        commit.outbox = messages
        try await storage.commit(commit)
        dispatcher.enqueue(messages)
        let retryAt = try #require(await dispatcher.deliverDue())
        #expect(sender.attempts == ["a"], "b waits behind a, which waits for its retry")
        time.set(retryAt)
        #expect(await dispatcher.deliverDue() == nil)
        #expect(sender.attempts == ["a", "a", "b"])
        #expect(try await storage.pendingOutbox(limit: 10).isEmpty)
    }
}

struct FailingAction: BotAction {
    struct Arguments: Decodable, Sendable {}
    static let name = "explode"
    static let summary = "always fails"
    static let argumentShape = Shape.none

    func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
        throw RuntimeError.action("boom")
    }
}

final class FlakySender: MessageSender {
    private let state: Mutex<([SendOutcome], [String])>

    init(outcomes: [SendOutcome]) {
        state = Mutex((outcomes, []))
    }

    var attempts: [String] { state.withLock { $0.1 } }

    func send(_ message: OutboundMessage) async -> SendOutcome {
        state.withLock {
            $0.1.append(message.id)
            return $0.0.isEmpty ? .sent : $0.0.removeFirst()
        }
    }
}
