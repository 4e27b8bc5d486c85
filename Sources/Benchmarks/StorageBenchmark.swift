import Foundation
import Hummingbird
import Logging
import Runtime
import Server
import Synchronization

/// `Benchmarks storage`: the shipped json_cache bot served on each storage in turn, the way an
/// operator runs it: 3,000 signed webhooks from 200 users over 64 connections (closed loop: each
/// connection sends its next webhook when the last one was answered), replies to a fake Graph
/// API in another process. Each server first takes 400 webhooks from other users over the same
/// connections, and the run starts once those are answered. SQLite is the baseline; JSON files,
/// and Redis when `REDIS_URL` is set, are reported next to it, after a bare Hummingbird route
/// under the same load (the floor of this machine and load generator).
enum StorageBenchmark {
    static let messages = 3_000
    static let users = 200
    static let warmUpMessages = 400
    static let connections = 64

    struct Figures {
        var acceptance: [Double]
        var replyLatency: [Double]
        var completion: Double
        var replied: Int
        /// The share of the machine's CPU the hypervisor took while this ran, in percent.
        var stolen: Double?
    }

    static func run() async throws {
        say(
            "== storage: json_cache bot, \(messages) webhooks from \(users) users over \(connections) connections, "
                + "each storage served in turn; SQLite is the baseline")
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let fake = try FakeGraphProcess.spawn()
        defer { fake.process.terminate() }
        var backends: [(String, (URL) throws -> any BotStorage)] = [
            ("SQLite", { try SQLiteStorage(path: $0.appendingPathComponent("db.sqlite").path) }),
            ("JSON", { try JSONFileStorage(directory: $0.appendingPathComponent("data").path) }),
        ]
        if let base = ProcessInfo.processInfo.environment["REDIS_URL"] {
            let prefix = "bench-\(UUID().uuidString.prefix(8)):"
            backends.append(
                ("Redis", { _ in try RedisStorage(url: base + (base.contains("?") ? "&" : "?") + "prefix=\(prefix)") }))
        }
        try await reportFloor(logger: logger)
        // As `serve` runs by default (50 decision traces kept per user), then with `--traces off`.
        for (pass, traces) in [("serve's defaults", TraceSettings()), ("--traces off", TraceSettings.off)].enumerated()
        {
            say("\(traces.0):")
            var baseline: Figures?
            for (index, (name, open)) in backends.enumerated() {
                let round = pass * backends.count + index
                let (directory, botPath) = try Measure.jsonCacheBot("rulebot-storage-bench")
                defer { try? FileManager.default.removeItem(at: directory) }
                let served = try await ServedBot.start(
                    bot: botPath, storage: try open(directory), graphPort: fake.port, traces: traces.1, logger: logger)
                // Warm-up over the connections the measured run uses: a freshly started server
                // pays one-time costs (connections, threads, caches, first files) that would
                // otherwise all land in the first few dozen requests, and so decide p99.
                let load = try LoadGenerator(port: try served.webhook.port.orThrow(), connections: connections)
                let warm = try await send(load, path: served.webhook.path, round: round, warmUp: true)
                _ = try await fake.waitForReplies(to: warm.sent)
                let start = StolenTime()
                let sent = try await send(load, path: served.webhook.path, round: round)
                let arrivals = try await fake.waitForReplies(to: sent.sent)
                var figures = summarize(sent, arrivals)
                figures.stolen = StolenTime().flatMap { end in start.map { end.percent(since: $0) } }
                await served.stop()
                report(name, figures, baseline: baseline)
                if baseline == nil { baseline = figures }
            }
        }
    }

    /// The same load at a Hummingbird route that only reads the body: what this machine and the
    /// load generator give before any storage or bot is involved.
    static func reportFloor(logger: Logger) async throws {
        let bare = Router()
        bare.post("/webhook") { request, _ -> HTTPResponse.Status in
            _ = try await request.body.collect(upTo: 3 * 1024 * 1024)
            return .ok
        }
        let port = try await ServerBenchmark.startApp(bare, logger: logger)
        let load = try LoadGenerator(port: port, connections: connections)
        _ = try await send(load, path: "/webhook", round: 100, warmUp: true)
        let floor = try await send(load, path: "/webhook", round: 100).acceptance
        say(
            "bare Hummingbird route, same load (the floor): acceptance p50 "
                + "\(Measure.format(Measure.percentile(floor, 0.5))) ms, p99 \(Measure.format(Measure.percentile(floor, 0.99))) ms"
        )
    }

    /// Sends every webhook over `load`'s connections; the requests are built and signed before
    /// the first one leaves. With `warmUp`, sends `warmUpMessages` from users the measured run
    /// does not use, so that its users still arrive with nothing cached.
    static func send(_ load: LoadGenerator, path: String, round: Int, warmUp: Bool = false) async throws
        -> EndToEndBenchmark.Run
    {
        let verifier = SignatureVerifier(appSecret: "bench-secret")
        let (count, user) = warmUp ? (warmUpMessages, "3497") : (messages, "3498")
        let requests = (0..<count).map { index in
            let id = "wamid.storage.\(round).\(user).\(index)"
            let body = textWebhook(
                "hello \(index)", from: "\(user)\(round)\(index % users)", id: id, timestamp: 1_767_300_000 + index)
            return LoadGenerator.Request(
                id: id, path: path, body: body,
                headers: [("X-Hub-Signature-256", verifier.header(for: Array(body.utf8)))])
        }
        let result = EndToEndBenchmark.Results()
        let outcomes = try await load.run(requests)
        for outcome in outcomes {
            result.record(outcome.id, sent: outcome.sent, answered: outcome.answered, status: outcome.status)
        }
        return result.run.withLock { $0 }
    }

    static func summarize(_ run: EndToEndBenchmark.Run, _ arrivals: [String: Double]) -> Figures {
        let latencies = run.sent.compactMap { id, sent in arrivals[id].map { ($0 - sent) * 1000 } }
        let first = run.sent.values.min() ?? 0
        let lastReply = run.sent.keys.compactMap { arrivals[$0] }.max() ?? first
        return Figures(
            acceptance: run.acceptance, replyLatency: latencies,
            completion: Double(latencies.count) / max(lastReply - first, 0.001), replied: latencies.count)
    }

    static func report(_ name: String, _ figures: Figures, baseline: Figures?) {
        let share =
            baseline.map { " (\(Measure.format(figures.completion / $0.completion * 100, 1))% of SQLite)" } ?? ""
        say(
            "\(name)\(baseline == nil ? " (baseline)" : ""): acceptance p50 "
                + "\(Measure.format(Measure.percentile(figures.acceptance, 0.5))) ms, "
                + "p99 \(Measure.format(Measure.percentile(figures.acceptance, 0.99))) ms; "
                + "completion \(Measure.format(figures.completion, 0)) events/s\(share); "
                + "webhook → reply p99 \(Measure.format(Measure.percentile(figures.replyLatency, 0.99))) ms; "
                + "\(figures.replied) of \(messages) replied"
                + (figures.stolen.map { "; CPU stolen by the hypervisor \(Measure.format($0, 1))%" } ?? ""))
    }
}
