import Foundation
import Logging
import RuleEngine
import Runtime

/// Events per second and timer lateness on Redis, next to SQLite in the same run.
enum RedisBenchmark {
    static func run() async throws {
        guard let base = ProcessInfo.processInfo.environment["REDIS_URL"] else {
            throw BenchmarkError("set REDIS_URL, e.g. REDIS_URL=redis://127.0.0.1:6379")
        }
        let url = { base + (base.contains("?") ? "&" : "?") + "prefix=bench-\(UUID().uuidString.prefix(8)):" }
        let bot = try RuntimeBenchmark.expiryBot()
        say("== redis vs sqlite: expiry bot, 1000 users × 10 messages; then 20,000 timers due over 20 s")
        let sqlitePath = Measure.temporaryDatabase("rulebot-redis-bench")
        defer { Measure.removeDatabase(atPath: sqlitePath) }
        let sqliteRate = try await RuntimeBenchmark.hostRate(
            bot, storage: try SQLiteStorage(path: sqlitePath), eventsPerUser: 10)
        let redis = try RedisStorage(url: url())
        let before = try await redis.serverLoad()
        let redisRate = try await RuntimeBenchmark.hostRate(bot, storage: redis, eventsPerUser: 10)
        let load = try await redis.serverLoad().since(before)
        let events = Double(RuntimeBenchmark.users * 10)
        say("SQLite (baseline): \(Int(sqliteRate)) events/s")
        say("Redis: \(Int(redisRate)) events/s (\(Measure.format(redisRate / sqliteRate * 100, 1))% of SQLite)")
        say(
            "Redis, counted per event: \(Measure.format(Double(redis.eventExchanges) / events)) exchanges to lock, "
                + "load, commit and unlock the user (the hot path); \(Measure.format(Double(redis.exchanges) / events)) "
                + "exchanges in all, the outbox's reads and removals included; "
                + "\(Measure.format(Double(redis.roundTrips) / events)) network round trips (concurrent exchanges pipelined)"
        )
        let raw = try await redis.measureRawOperations(count: 400_000)
        let cpuPerEvent = load.cpuSeconds / events
        let commandsPerEvent = Double(load.commands) / events
        say(
            "Redis server, per event: \(Measure.format(commandsPerEvent, 1)) commands (those run inside scripts "
                + "included), \(Measure.format(cpuPerEvent * 1e6, 1)) µs of its main thread's CPU")
        say(
            "Redis server on this machine: \(Int(raw)) pipelined INCR/s (its raw speed, the baseline); one Redis "
                + "primary carries about \(Int(1 / cpuPerEvent)) events/s with its main thread fully busy "
                + "(raw speed ÷ commands per event would say \(Int(raw / commandsPerEvent)): scripts cost more per command)"
        )
        let timerPath = Measure.temporaryDatabase("rulebot-redis-timers")
        defer { Measure.removeDatabase(atPath: timerPath) }
        try await TimerBenchmark.run(
            window: 20, timers: 20_000, storage: try SQLiteStorage(path: timerPath), label: "SQLite")
        try await TimerBenchmark.run(window: 20, timers: 20_000, storage: try RedisStorage(url: url()), label: "Redis")
    }
}
