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
        try await partitioned(bot, url: url, sqliteRate: sqliteRate)
        let timerPath = Measure.temporaryDatabase("rulebot-redis-timers")
        defer { Measure.removeDatabase(atPath: timerPath) }
        try await TimerBenchmark.run(
            window: 20, timers: 20_000, storage: try SQLiteStorage(path: timerPath), label: "SQLite")
        try await TimerBenchmark.run(window: 20, timers: 20_000, storage: try RedisStorage(url: url()), label: "Redis")
        try await TimerBenchmark.run(
            window: 20, timers: 20_000, storage: try RedisStorage(url: url() + "&partitions=16"),
            label: "Redis, 16 partitions")
    }

    /// The same events with users spread over 16 partitions, on the same Redis and, when
    /// `REDIS_CLUSTER_URL` names one, on a Redis Cluster; then how partitions fall on primaries.
    static func partitioned(_ bot: LoadedBot, url: () -> String, sqliteRate: Double) async throws {
        let events = Double(RuntimeBenchmark.users * 10)
        var runs: [(label: String, url: String)] = [("Redis, 16 partitions", url() + "&partitions=16")]
        if let cluster = ProcessInfo.processInfo.environment["REDIS_CLUSTER_URL"] {
            let prefix = "prefix=bench-\(UUID().uuidString.prefix(8)):&partitions=16"
            runs.append(("Redis Cluster, 16 partitions", cluster + (cluster.contains("?") ? "&" : "?") + prefix))
        }
        for (label, runURL) in runs {
            let redis = try RedisStorage(url: runURL)
            let before = try await redis.serverLoad()
            let rate = try await RuntimeBenchmark.hostRate(bot, storage: redis, eventsPerUser: 10)
            let load = try await redis.serverLoad().since(before)
            say(
                "\(label) (\(redis.primaries) primar\(redis.primaries == 1 ? "y" : "ies")): \(Int(rate)) events/s "
                    + "(\(Measure.format(rate / sqliteRate * 100, 1))% of SQLite); "
                    + "\(Measure.format(Double(redis.eventExchanges) / events)) exchanges per event on the hot path, "
                    + "\(Measure.format(Double(load.commands) / events, 1)) commands and "
                    + "\(Measure.format(load.cpuSeconds / events * 1e6, 1)) µs of Redis CPU per event (all primaries)")
        }
        for partitions in [16, 64, 256] {
            let slots = RedisStorage.partitionSlots(partitions)
            for primaries in [3, 6] {
                let share = RedisSlotRanges.evenly(primaries)
                let counts = (0..<primaries).map { primary in slots.filter { share(primary).contains($0) }.count }
                say(
                    "\(partitions) partitions over \(primaries) primaries with evenly split slots: "
                        + counts.map(String.init).joined(separator: " / ")
                        + " (the busiest primary gets \(Measure.format(Double(counts.max() ?? 0) * Double(primaries) / Double(partitions), 2))× an even share)"
                )
            }
        }
    }
}

/// The slot ranges `redis-cli --cluster create` gives `count` primaries: equal shares, in order,
/// each ending at the rounded running total.
enum RedisSlotRanges {
    static func evenly(_ count: Int) -> (Int) -> ClosedRange<Int> {
        let share = Double(16_384) / Double(count)
        var ranges: [ClosedRange<Int>] = []
        var first = 0
        for index in 0..<count {
            let last = index == count - 1 ? 16_383 : Int((Double(index) * share + share - 1).rounded())
            ranges.append(first...last)
            first = last + 1
        }
        return { ranges[$0] }
    }
}
