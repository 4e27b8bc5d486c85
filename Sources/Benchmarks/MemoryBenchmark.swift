import Foundation
import Logging
import RuleEngine
import Runtime

/// Memory: the resident set with 1,000,000 pending timers in SQLite and the time a fresh
/// process takes to open them and find the next due one; and the resident set as distinct
/// users pass through the snapshot cache, each sending one message.
enum MemoryBenchmark {
    static func run(timers: Int = 1_000_000, users: Int = 1_000_000) async throws {
        say("== memory: \(timers) pending timers; then \(users) distinct users, one message each (SQLite)")
        let path = Measure.temporaryDatabase("rulebot-memory")
        defer { Measure.removeDatabase(atPath: path) }
        let baseline = residentMegabytes()
        do {
            let storage = try SQLiteStorage(path: path)
            let perUser = 100
            for user in 0..<(timers / perUser) {
                var commit = UserCommit(bot: "expiry", userID: "t\(user)")
                for n in 0..<perUser {
                    commit.timers["t\(n)"] = .start(
                        TimerRecord(
                            bot: "expiry", userID: "t\(user)", name: "t\(n)", startedAt: 0,
                            dueAt: 4_000_000_000 + Double(n), generation: "g\(user)-\(n)"))
                }
                try await storage.commit(commit)
            }
        }
        var opened: SQLiteStorage?
        let openSeconds = try await Measure.seconds {
            let storage = try SQLiteStorage(path: path)
            _ = try await storage.nextTimerDue()
            _ = try await storage.claimDueTimers(now: 1_000_000, limit: 1000, lease: 30)
            opened = storage
        }
        let count = try await opened?.timerCount() ?? 0
        say("process before opening (baseline): \(baseline) MB resident")
        say(
            "with \(count) pending timers opened: \(residentMegabytes()) MB resident; opening and finding the next due took \(Measure.format(openSeconds * 1000, 1)) ms"
        )
        opened = nil

        let bot = try RuntimeBenchmark.expiryBot()
        let usersPath = Measure.temporaryDatabase("rulebot-users")
        defer { Measure.removeDatabase(atPath: usersPath) }
        let storage = try SQLiteStorage(path: usersPath)
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let host = BotHost(
            bots: BotSet([bot]), storage: storage, sender: NullSender(), time: SystemTime(), logger: logger)
        let parts = 8
        let step = users / parts
        for part in 0..<parts {
            await withTaskGroup(of: Void.self) { group in
                for worker in 0..<64 {
                    group.addTask {
                        var user = part * step + worker
                        while user < (part + 1) * step {
                            let event = InboundEvent.text(
                                "hi", from: "u\(user)", name: "Bench", id: "m\(user)", at: 1_000_000)
                            await host.handle(InboxEntry(bot: bot.name, event: event))
                            user += 64
                        }
                    }
                }
            }
            say("after \((part + 1) * step) distinct users: \(residentMegabytes()) MB resident")
        }
    }

    /// This process's resident set in MB, from /proc/self/status.
    static func residentMegabytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return -1 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }
}
