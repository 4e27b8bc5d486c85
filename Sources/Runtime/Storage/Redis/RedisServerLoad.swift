/// What a Redis server reports about the work it has done, for capacity planning: compare two
/// readings taken around a known number of events.
public struct RedisServerLoad: Sendable, Hashable {
    /// Commands executed, counting those run inside scripts (`INFO commandstats`).
    public var commands: Int
    /// CPU seconds of Redis's main thread, which runs every command (user plus system).
    public var cpuSeconds: Double

    /// Creates a reading.
    public init(commands: Int, cpuSeconds: Double) {
        self.commands = commands
        self.cpuSeconds = cpuSeconds
    }

    /// The work done between `earlier` and this reading.
    public func since(_ earlier: RedisServerLoad) -> RedisServerLoad {
        RedisServerLoad(
            commands: commands - earlier.commands, cpuSeconds: cpuSeconds - earlier.cpuSeconds)
    }

    /// Reads `INFO` text: `name:value` lines; `cmdstat_X:calls=N,…` lines are summed.
    init(info: String) {
        var fields: [Substring: Substring] = [:]
        var commands = 0
        for line in info.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon]
            let value = line[line.index(after: colon)...]
            if name.hasPrefix("cmdstat_"), let calls = value.split(separator: ",").first,
                calls.hasPrefix("calls=")
            {
                commands += Int(calls.dropFirst("calls=".count)) ?? 0
            }
            fields[name] = value
        }
        func number(_ name: Substring) -> Double? { fields[name].flatMap { Double($0) } }
        let mainThread = (number("used_cpu_user_main_thread") ?? 0) + (number("used_cpu_sys_main_thread") ?? 0)
        let process = (number("used_cpu_user") ?? 0) + (number("used_cpu_sys") ?? 0)
        self.init(commands: commands, cpuSeconds: mainThread > 0 ? mainThread : process)
    }
}

extension RedisStorage {
    /// The server's counters now (`INFO cpu` and `commandstats`), summed over a cluster's primaries.
    public func serverLoad() async throws -> RedisServerLoad {
        var total = RedisServerLoad(commands: 0, cpuSeconds: 0)
        for address in pool.primaries {
            let replies = try await pool.run([["INFO", "cpu"], ["INFO", "commandstats"]], on: address)
            let load = RedisServerLoad(info: replies.compactMap(\.string).joined(separator: "\n"))
            total = RedisServerLoad(
                commands: total.commands + load.commands, cpuSeconds: total.cpuSeconds + load.cpuSeconds)
        }
        return total
    }

    /// Runs `count` `INCR`s on one key in pipelines of `depth` over the pool's connections and
    /// returns how many a second the server answered: the server's raw speed on this machine.
    public func measureRawOperations(count: Int, depth: Int = 100) async throws -> Double {
        let key = keys.global("bench", "incr")
        let batches = count / depth
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<batches / 8 {
                        _ = try await self.pool.run(Array(repeating: ["INCR", key], count: depth))
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - start
        _ = try await pool.run([["DEL", key]])
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(batches / 8 * 8 * depth) / seconds
    }
}
