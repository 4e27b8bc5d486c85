import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RuleEngine
import Runtime
import ServiceLifecycle
import Synchronization
import Testing

@testable import Server

/// The server's services as `serve` assembles them, driven on a virtual clock.
struct LifecycleTests {
    /// Accepts messages to everyone but `down`, whose sends fail as if the Graph API were out.
    final class PartlyDownSender: MessageSender {
        let down: String
        private let accepted = Mutex<[OutboundMessage]>([])

        init(down: String) { self.down = down }

        func send(_ message: OutboundMessage) async -> SendOutcome {
            guard message.to != down else { return .retry(after: 0, reason: "500") }
            accepted.withLock { $0.append(message) }
            return .sent
        }

        var sent: [OutboundMessage] { accepted.withLock { $0 } }
    }

    @Test(.timeLimit(.minutes(1)))
    func aGracefulShutdownFinishesEventsDrainsTheOutboxForItsTimeAndKeepsTheRest() async throws {
        let directory = try temporaryFolder()
        let path = directory.appendingPathComponent("json_cache.yaml").path
        try ServerHarness.shippedBot("json_cache.yaml").write(toFile: path, atomically: true, encoding: .utf8)
        var configuration = ServerConfiguration()
        configuration.appSecret = ServerHarness.secret
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let time = VirtualTime()
        let storage = MemoryStorage()
        let sender = PartlyDownSender(down: "34600000002")
        let server = try RulebotServer(
            configuration: configuration, files: [path], registry: .builtIn, storage: storage, sender: sender,
            time: time, logger: logger)
        var options = ServiceOptions()
        options.drainTimeout = 10
        let group = buildApplication(server: server, options: options, front: nil, signals: [], logger: logger)
        let stopped = Atomic<Bool>(false)
        let running = Task {
            try await group.run()
            stopped.store(true, ordering: .sequentiallyConsistent)
        }

        let responder = server.buildRouter().buildResponder()
        for (index, user) in ["34600000001", "34600000002"].enumerated() {
            let body = textWebhook("hello", from: user, id: "wamid.drain.\(index)")
            var headers = HTTPFields()
            headers[try #require(HTTPField.Name("X-Hub-Signature-256"))] =
                SignatureVerifier(appSecret: ServerHarness.secret).header(for: body)
            let request = Request(
                head: HTTPRequest(
                    method: .post, scheme: "http", authority: "localhost", path: "/webhook", headerFields: headers),
                body: RequestBody(buffer: ByteBuffer(bytes: body)))
            let response = try await responder.respond(
                to: request, context: RulebotRequestContext(logger: logger))
            #expect(response.status == .ok)
        }
        await group.triggerGracefulShutdown()
        // Time moves only here: the outbox retries the user whose sends fail until its drain time is over.
        var steps = 0
        while !stopped.load(ordering: .sequentiallyConsistent), steps < 10_000 {
            time.advance(by: 0.5)
            await Task.yield()
            steps += 1
        }
        try await running.value

        #expect(try await storage.pendingInbox(limit: 10).isEmpty, "every accepted event was evaluated")
        #expect(Set(sender.sent.map(\.to)) == ["34600000001"])
        #expect(sender.sent.count == 2, "the reachable user's read receipt and reply went out")
        let kept = try await storage.pendingOutbox(limit: 10)
        #expect(kept.map(\.to) == ["34600000002", "34600000002"], "the rest stays for the next start")
        #expect(steps >= 20 && steps < 10_000, "the drain lasted its 10 s: \(Double(steps) / 2) s")
    }

    @Test func reloadsRunOneAtATime() async throws {
        let directory = try temporaryFolder()
        let path = directory.appendingPathComponent("bot.yaml").path
        func write(_ reply: String) throws {
            try "rules:\n  - when: message\n    do:\n      - reply: \(reply)\n".write(
                toFile: path, atomically: true, encoding: .utf8)
        }
        try write("one")
        let storage = MigrationGate()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let library = BotLibrary(
            paths: [path], registry: .builtIn, bots: BotSet(), storage: storage, metrics: ServerMetrics(),
            time: VirtualTime(), logger: logger)
        try library.loadAll()

        try write("two")
        let first = Task { await library.reload(trigger: "file changed") }
        await storage.waitUntilMigrating()
        try write("three")
        let second = Task { await library.reload(trigger: "SIGHUP") }
        // Until the second reload either waits its turn or (were reloads not one at a time) migrates too.
        while library.reloadsWaiting == 0, storage.runningNow < 2 { await Task.yield() }
        storage.open()
        #expect(await first.value[path] == .reloaded)
        #expect(await second.value[path] == .reloaded)
        #expect(storage.mostAtOnce == 1, "the second reload waited for the first")
    }

    @Test func thePurgeRunsEachRoundItsTriggerGives() async throws {
        let time = VirtualTime()
        let storage = MemoryStorage()
        var commit = UserCommit(bot: "b", userID: "u")
        commit.writes[StorageKey(.user, "code")] = StoredValue(.string("1234"), expiresAt: time.now() + 60)
        try await storage.commit(commit)
        let trigger = ManualTrigger()
        let purge = PurgeService(storage: storage, time: time, trigger: trigger, logger: Logger(label: "test"))
        let running = Task { try await purge.run() }

        await trigger.round()
        #expect(try await storage.load(bot: "b", userID: "u", now: time.now() - 1).values.count == 1)
        time.advance(by: 61)
        await trigger.round()
        #expect(try await storage.load(bot: "b", userID: "u", now: time.now() - 100).values.isEmpty, "purged")
        trigger.finish()
        try await running.value
    }

    @Test func aChangedFileIsReloadedAtTheNextCheck() async throws {
        let directory = try temporaryFolder()
        let path = directory.appendingPathComponent("bot.yaml").path
        try "rules:\n  - when: message\n    do:\n      - reply: one\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let library = BotLibrary(
            paths: [path], registry: .builtIn, bots: BotSet(), storage: MemoryStorage(), metrics: ServerMetrics(),
            time: VirtualTime(), logger: logger)
        try library.loadAll()
        let checks = ManualTrigger()
        let follows = ManualTrigger()
        let service = ReloadService(
            library: library, fileChecks: checks, followChecks: follows, shared: nil, hangUp: false)
        let running = Task { try await service.run() }
        let before = library.status[0].hash

        await checks.round()
        #expect(library.status[0].hash == before, "nothing changed")
        try "rules:\n  - when: message\n    do:\n      - reply: second\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        await checks.round()
        #expect(library.status[0].hash != before, "reloaded at the check after the change")
        checks.finish()
        follows.finish()
        try await running.value
    }

    private func temporaryFolder() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rulebot-life-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}

/// Memory storage whose first migration waits until `open`, counting migrations running at once.
final class MigrationGate: StorageWrapper {
    private struct State {
        var open = false
        var running = 0
        var most = 0
        var held: [CheckedContinuation<Void, Never>] = []
        var watchers: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    let base: any BotStorage = MemoryStorage()

    var mostAtOnce: Int { state.withLock { $0.most } }
    var runningNow: Int { state.withLock { $0.running } }

    func waitUntilMigrating() async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.running > 0 { return true }
                state.watchers.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    func open() {
        let held = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.held = [] }
            return state.held
        }
        for continuation in held { continuation.resume() }
    }

    func migrate(bot: String, keepingStates states: Set<String>, keepingTimers timers: Set<String>) async throws
        -> MigrationCounts
    {
        let watchers = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.running += 1
            state.most = max(state.most, state.running)
            defer { state.watchers = [] }
            return state.watchers
        }
        for watcher in watchers { watcher.resume() }
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.open { return true }
                state.held.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
        state.withLock { $0.running -= 1 }
        return try await base.migrate(bot: bot, keepingStates: states, keepingTimers: timers)
    }
}
