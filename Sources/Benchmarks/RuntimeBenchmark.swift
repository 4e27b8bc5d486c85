import Foundation
import Logging
import RuleEngine
import Runtime

/// Events per second through evaluate + durable SQLite commit for the expiry bot with 1,000 users,
/// against evaluate alone (no storage) in the same run.
enum RuntimeBenchmark {
    static let users = 1000
    static let eventsPerUser = 50

    static func run() async throws {
        say("== runtime: expiry bot, \(users) users × \(eventsPerUser) messages")
        let bot = try expiryBot()
        let evaluateOnly = try evaluateOnlyRate(bot)
        let path = Measure.temporaryDatabase()
        let storage = try SQLiteStorage(path: path)
        let rate = try await hostRate(bot, storage: storage)
        let shortPath = Measure.temporaryDatabase()
        let shortRate = try await hostRate(bot, storage: try SQLiteStorage(path: shortPath), eventsPerUser: 10)
        Measure.removeDatabase(atPath: shortPath)
        let widePath = Measure.temporaryDatabase()
        let widePageRate = try await hostRate(bot, storage: try SQLiteStorage(path: widePath, pageSize: 4096))
        Measure.removeDatabase(atPath: widePath)
        let memoryRate = try await hostRate(bot, storage: MemoryStorage())
        let commitRate = try await rawCommitRate()
        let bigCommitRate = try await rawCommitRate(itemsPerValue: 25)
        say("SQLite commits of a 25-item list alone: \(Int(bigCommitRate))/s")
        say("evaluate only (baseline): \(Int(evaluateOnly)) events/s")
        say(
            "host on memory storage: \(Int(memoryRate)) events/s; SQLite commits alone (1000 concurrent writers): \(Int(commitRate))/s"
        )
        say(
            "evaluate + SQLite commit + outbox, 50-message sessions: \(Int(rate)) events/s (\(Measure.format(rate / evaluateOnly * 100, 1))% of evaluate-only)"
        )
        say(
            "the same on 4 KB pages instead of 2 KB: \(Int(widePageRate)) events/s (2 KB runs \(Measure.format(rate / widePageRate, 2))× of that)"
        )
        say(
            "evaluate + SQLite commit + outbox, 10-message sessions: \(Int(shortRate)) events/s (\(Measure.format(shortRate / evaluateOnly * 100, 1))% of evaluate-only)"
        )
        Measure.removeDatabase(atPath: path)
    }

    /// Only the SQLite host path with 10-message sessions, for profiling.
    static func runSQLiteOnly() async throws {
        let path = Measure.temporaryDatabase()
        let rate = try await hostRate(try expiryBot(), storage: try SQLiteStorage(path: path), eventsPerUser: 10)
        say("evaluate + SQLite commit + outbox, 10-message sessions: \(Int(rate)) events/s")
        Measure.removeDatabase(atPath: path)
    }

    static func expiryBot() throws -> LoadedBot {
        let source = try String(
            contentsOf: Measure.repositoryRoot().appendingPathComponent("bots/expiry.yaml"), encoding: .utf8)
        guard let graph = BotCompiler().compile(source: source, file: "bots/expiry.yaml").graph else {
            throw BenchmarkError("expiry.yaml")
        }
        return try LoadedBot(graph: graph)
    }

    static func evaluateOnlyRate(_ bot: LoadedBot) throws -> Double {
        var snapshots = [String: UserSnapshot]()
        let count = users * eventsPerUser
        let seconds = try Measure.seconds {
            for i in 0..<count {
                let user = "u\(i % users)"
                let event = InboundEvent.text(
                    "message \(i)", from: user, name: "Bench", id: "e\(i)", at: 1_000_000 + Double(i))
                let evaluation = try Evaluator.evaluate(
                    bot, snapshot: snapshots[user] ?? UserSnapshot(userID: user), event: event,
                    now: 1_000_000 + Double(i))
                var snapshot = snapshots[user] ?? UserSnapshot(userID: user)
                for (key, value) in evaluation.commit.writes { snapshot.values[key] = value }
                snapshots[user] = snapshot
            }
        }
        return Double(count) / seconds
    }

    static func rawCommitRate(itemsPerValue: Int = 0) async throws -> Double {
        let payload: Value =
            itemsPerValue == 0
            ? .int(1)
            : .array(
                (0..<itemsPerValue).map {
                    .object(["text": .string("message \($0)"), "timestamp": .double(1_767_263_400.5), "type": "text"])
                })
        let path = Measure.temporaryDatabase("rulebot-raw")
        let storage = try SQLiteStorage(path: path)
        defer { Measure.removeDatabase(atPath: path) }
        let seconds = try await Measure.seconds {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for u in 0..<users {
                    group.addTask {
                        for _ in 0..<eventsPerUser {
                            var commit = UserCommit(bot: "b", userID: "u\(u)")
                            commit.writes[StorageKey(.user, "n")] = StoredValue(payload)
                            try await storage.commit(commit)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        return Double(users * eventsPerUser) / seconds
    }

    /// The cost of keeping decision traces (serve's default: 50 per user): the same SQLite host
    /// run with and without them, in one run.
    static func runTraces() async throws {
        say("== traces: expiry bot on SQLite, \(users) users × 10 messages, with and without kept traces")
        let bot = try expiryBot()
        let offPath = Measure.temporaryDatabase()
        let off = try await hostRate(bot, storage: try SQLiteStorage(path: offPath), eventsPerUser: 10)
        Measure.removeDatabase(atPath: offPath)
        let onPath = Measure.temporaryDatabase()
        let on = try await hostRate(
            bot, storage: try SQLiteStorage(path: onPath), eventsPerUser: 10, traces: TraceSettings())
        Measure.removeDatabase(atPath: onPath)
        say("without traces (baseline): \(Int(off)) events/s")
        say("with 50 traces per user kept: \(Int(on)) events/s (\(Measure.format(on / off * 100, 1))% of the baseline)")
    }

    static func hostRate(
        _ bot: LoadedBot, storage: any BotStorage, eventsPerUser: Int = eventsPerUser, traces: TraceSettings = .off
    ) async throws -> Double {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let time = SystemTime()
        let host = BotHost(
            bots: BotSet([bot]), storage: storage,
            dispatcher: OutboxDispatcher(storage: storage, sender: NullSender(), time: time, logger: logger),
            sending: .inline, time: time, logger: logger, traces: traces)
        let seconds = await Measure.seconds {
            await withTaskGroup(of: Void.self) { group in
                for u in 0..<users {
                    group.addTask {
                        for i in 0..<eventsPerUser {
                            let event = InboundEvent.text(
                                "message \(i)", from: "u\(u)", name: "Bench", id: "u\(u)-\(i)", at: 1_000_000)
                            await host.handle(InboxEntry(bot: bot.name, event: event))
                        }
                    }
                }
            }
        }
        let pending = try await storage.pendingOutbox(limit: 10)
        guard pending.isEmpty else { throw BenchmarkError("outbox not drained") }
        return Double(users * eventsPerUser) / seconds
    }
}

/// Accepts every message instantly.
struct NullSender: MessageSender {
    func send(_ message: OutboundMessage) async -> SendOutcome { .sent }
}
