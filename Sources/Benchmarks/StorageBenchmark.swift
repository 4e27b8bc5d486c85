import Foundation
import Logging
import Runtime
import Server
import Synchronization

/// `Benchmarks storage`: the shipped json_cache bot served on each storage in turn, the way an
/// operator runs it: 3,000 signed webhooks from 200 users over 64 connections (closed loop: each
/// connection sends its next webhook when the last one was answered), replies to a fake Graph
/// API in another process. SQLite is the baseline; JSON files, and Redis when `REDIS_URL` is
/// set, are reported next to it.
enum StorageBenchmark {
    static let messages = 3_000
    static let users = 200
    static let connections = 64

    struct Figures {
        var acceptance: [Double]
        var replyLatency: [Double]
        var completion: Double
        var replied: Int
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
                let sent = try await send(to: served.webhook, round: round)
                let arrivals = try await EndToEndBenchmark.waitForReplies(to: sent.sent, graphPort: fake.port)
                await served.stop()
                let figures = summarize(sent, arrivals)
                report(name, figures, baseline: baseline)
                if baseline == nil { baseline = figures }
            }
        }
    }

    /// Sends every webhook, `connections` at a time, each connection on a thread of its own.
    static func send(to url: URL, round: Int) async throws -> EndToEndBenchmark.Run {
        let port = try url.port.orThrow()
        let verifier = SignatureVerifier(appSecret: "bench-secret")
        let result = EndToEndBenchmark.Results()
        let next = Ticket()
        let group = DispatchGroup()
        for _ in 0..<connections {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                guard let client = try? SocketClient(port: port) else { return }
                while true {
                    let index = next.take()
                    if index >= messages { return }
                    let id = "wamid.storage.\(round).\(index)"
                    let body = textWebhook(
                        "hello \(index)", from: "3498\(round)\(index % users)", id: id, timestamp: 1_767_300_000 + index
                    )
                    let header = verifier.header(for: Array(body.utf8))
                    let sent = Date().timeIntervalSince1970
                    let status = try? client.post(
                        url.path, body: body, headers: [("X-Hub-Signature-256", header)])
                    result.record(id, sent: sent, answered: Date().timeIntervalSince1970, status: status)
                }
            }
        }
        await withCheckedContinuation { continuation in
            group.notify(queue: .global()) { continuation.resume() }
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
                + "\(figures.replied) of \(messages) replied")
    }
}

/// Hands out 0, 1, 2, … to concurrent senders.
final class Ticket: Sendable {
    private let next = Atomic<Int>(0)

    func take() -> Int { next.add(1, ordering: .relaxed).oldValue }
}
