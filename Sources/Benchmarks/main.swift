import Foundation

// Release-build benchmarks for the targets in the issues. Each prints its figure next to a
// baseline measured in the same run, so numbers are comparable across noisy machines.
//
//   swift run -c release Benchmarks compile
//   swift run -c release Benchmarks runtime
//   swift run -c release Benchmarks timers
//   swift run -c release Benchmarks server    (needs wrk: apt-get install -y wrk)
//   REDIS_URL=redis://127.0.0.1:6379 swift run -c release Benchmarks redis
//   swift run -c release Benchmarks storage   (json_cache on SQLite, JSON files, and Redis with REDIS_URL)
//   swift run -c release Benchmarks e2e [RATE...]   (offered webhooks/s, default 100 300)

let arguments = CommandLine.arguments.dropFirst()
if arguments.first == "fake-graph" {
    try await FakeGraphProcess.run()
    exit(0)
}
let which = Set(arguments.isEmpty ? ["compile", "runtime", "timers"] : Array(arguments))
if which.contains("compile") { try CompileBenchmark.run() }
if which.contains("runtime") { try await RuntimeBenchmark.run() }
if which.contains("runtime-sqlite") { try await RuntimeBenchmark.runSQLiteOnly() }
if which.contains("traces") { try await RuntimeBenchmark.runTraces() }
if which.contains("memory") { try await MemoryBenchmark.run() }
if which.contains("timers") { try await TimerBenchmark.run() }
if which.contains("server") { try await ServerBenchmark.run() }
if which.contains("redis") { try await RedisBenchmark.run() }
if which.contains("storage") { try await StorageBenchmark.run() }
if which.contains("e2e") {
    let rates = arguments.compactMap { Int($0) }
    try await EndToEndBenchmark.run(rates: rates.isEmpty ? [100, 300] : rates)
}
