import Foundation
import Logging
import RuleEngine
import Runtime
import Synchronization

/// Lateness of 100,000 timers falling due over 15 and 60 seconds on SQLite, fired by the real-time
/// TimerService, and the firing rate when all of them fall due at once.
enum TimerBenchmark {
    static let timers = 100_000

    final class LatenessRecorder: HostObserver {
        let lateness = Mutex<[Double]>([])
        let time: any TimeSource

        init(time: any TimeSource) { self.time = time }

        func processed(bot: String, event: InboundEvent, evaluation: Evaluation, seconds: Double) {
            guard case .timer(let firing) = event.kind else { return }
            let late = time.now() - seconds - firing.dueAt
            lateness.withLock { $0.append(late) }
        }
    }

    static func run() async throws {
        for window in [0.0, 15.0, 60.0] {
            let path = Measure.temporaryDatabase("rulebot-timers")
            try await run(window: window, timers: timers, storage: try SQLiteStorage(path: path), label: "SQLite")
            Measure.removeDatabase(atPath: path)
        }
    }

    static func run(window: Double, timers: Int, storage: any BotStorage, label: String) async throws {
        say(
            "== timers: \(timers) timers due "
                + (window == 0 ? "at the same moment" : "over \(Int(window)) s") + " on \(label), expiry bot")
        let bot = try RuntimeBenchmark.expiryBot()
        let time = SystemTime()
        let start = time.now() + 20
        let insert = try await Measure.seconds {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for chunk in stride(from: 0, to: timers, by: 1000) {
                    group.addTask {
                        for i in chunk..<min(timers, chunk + 1000) {
                            var commit = UserCommit(bot: bot.name, userID: "u\(i)")
                            commit.writes[StorageKey(.user, "messages")] = StoredValue(
                                .array([.object(["text": "hi", "timestamp": .double(start), "type": "text"])]))
                            commit.writes[.machine] = StoredValue(
                                .object(["name": "collecting", "entered_at": .double(start)]))
                            let due = start + window * Double(i) / Double(timers)
                            commit.timers["user_inactivity"] = .start(
                                TimerRecord(
                                    bot: bot.name, userID: "u\(i)", name: "user_inactivity", startedAt: due - 15,
                                    dueAt: due, generation: "g\(i)"))
                            try await storage.commit(commit)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        guard time.now() < start else { throw BenchmarkError("inserting took \(insert) s, longer than the 20 s lead") }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let recorder = LatenessRecorder(time: time)
        let host = BotHost(
            bots: BotSet([bot]), storage: storage, sender: RuntimeBenchmark.NullSenderBox(), time: time,
            observer: recorder, logger: logger)
        let service = Task { await TimerService(host: host).run() }
        while recorder.lateness.withLock({ $0.count }) < timers, time.now() < start + window + 60 {
            try await Task.sleep(for: .milliseconds(100))
        }
        service.cancel()
        let lateness = recorder.lateness.withLock { $0 }
        say(
            "inserted \(timers) timers in \(Measure.format(insert)) s (\(Int(Double(timers) / insert))/s, the baseline write rate)"
        )
        say(
            "fired \(lateness.count) of \(timers); lateness p50 \(Measure.format(Measure.percentile(lateness, 0.5) * 1000)) ms, "
                + "p99 \(Measure.format(Measure.percentile(lateness, 0.99) * 1000)) ms, max \(Measure.format((lateness.max() ?? .nan) * 1000)) ms; "
                + (window == 0
                    ? "all fired in \(Measure.format(lateness.max() ?? .nan)) s, \(Int(Double(lateness.count) / (lateness.max() ?? .nan)))/s"
                    : "firing rate needed \(Int(Double(timers) / window))/s"))
    }
}

extension RuntimeBenchmark {
    struct NullSenderBox: MessageSender {
        func send(_ message: OutboundMessage) async -> SendOutcome { .sent }
    }
}
