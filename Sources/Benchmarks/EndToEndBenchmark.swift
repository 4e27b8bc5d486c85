import Foundation
import Hummingbird
import Logging
import RuleEngine
import Runtime
import Server
import ServiceLifecycle
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `Benchmarks e2e`: sustained end-to-end throughput. Signed webhooks arrive at a fixed offered
/// rate for 30 s (open loop: each leaves on schedule, whether or not earlier ones were answered)
/// at `rulebot serve`'s services and app (json_cache bot on SQLite); replies go to a fake Graph
/// API in another process. Prints webhook → reply latency next to webhook → 200 (acceptance)
/// latency of the same requests.
enum EndToEndBenchmark {
    static let seconds = 30

    static func run(rates: [Int]) async throws {
        say(
            "== e2e: signed webhooks at a fixed offered rate for \(seconds) s (open loop), json_cache on SQLite, "
                + "replies to a fake Graph API in another process")
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let fake = try FakeGraphProcess.spawn()
        defer { fake.process.terminate() }
        let (directory, botPath) = try Measure.jsonCacheBot("rulebot-e2e")
        defer { try? FileManager.default.removeItem(at: directory) }

        let served = try await ServedBot.start(
            bot: botPath, storage: try SQLiteStorage(path: directory.appendingPathComponent("db.sqlite").path),
            graphPort: fake.port, logger: logger)
        let url = served.webhook
        for (level, rate) in rates.enumerated() {
            let start = StolenTime()
            let run = try await offer(rate: rate, to: url, level: level)
            let arrivals = try await fake.waitForReplies(to: run.sent)
            report(rate: rate, run: run, arrivals: arrivals)
            if let start, let end = StolenTime() {
                say("  CPU stolen by the hypervisor meanwhile: \(Measure.format(end.percent(since: start), 1))%")
            }
        }
        await served.stop()
    }

    struct Run {
        var sent: [String: Double] = [:]
        var acceptance: [Double] = []
        var refused = 0
        var lastSent = 0.0
    }

    /// Sends `rate` webhooks a second for `seconds`, each on schedule in its own task.
    static func offer(rate: Int, to url: URL, level: Int) async throws -> Run {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 256
        let session = URLSession(configuration: configuration)
        let verifier = SignatureVerifier(appSecret: "bench-secret")
        let result = Results()
        let start = Date().timeIntervalSince1970 + 0.2
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<rate * seconds {
                let due = start + Double(index) / Double(rate)
                let wait = due - Date().timeIntervalSince1970
                if wait > 0 { try? await Task.sleep(for: .seconds(wait)) }
                group.addTask {
                    let id = "wamid.e2e.\(level).\(index)"
                    let body = textWebhook(
                        "hello \(index)", from: "3497\(level)\(index % 2000)", id: id, timestamp: 1_767_300_000 + index)
                    var request = URLRequest(url: url)
                    request.httpMethod = "POST"
                    request.httpBody = Data(body.utf8)
                    request.setValue(verifier.header(for: Array(body.utf8)), forHTTPHeaderField: "X-Hub-Signature-256")
                    let sent = Date().timeIntervalSince1970
                    let status = (try? await session.data(for: request)).flatMap {
                        ($0.1 as? HTTPURLResponse)?.statusCode
                    }
                    result.record(id, sent: sent, answered: Date().timeIntervalSince1970, status: status)
                }
            }
        }
        return result.run.withLock { $0 }
    }

    final class Results: Sendable {
        let run = Mutex(Run())

        /// Notes a webhook sent at `sent` and answered with `status` at `answered` (Unix seconds).
        func record(_ id: String, sent: Double, answered: Double, status: Int?) {
            run.withLock { run in
                guard status == 200 else {
                    run.refused += 1
                    return
                }
                run.sent[id] = sent
                run.acceptance.append((answered - sent) * 1000)
                run.lastSent = max(run.lastSent, sent)
            }
        }
    }

    static func report(rate: Int, run: Run, arrivals: [String: Double]) {
        let latencies = run.sent.compactMap { id, sent in arrivals[id].map { ($0 - sent) * 1000 } }
        let first = run.sent.values.min() ?? 0
        let lastReply = run.sent.keys.compactMap { arrivals[$0] }.max() ?? first
        let throughput = Double(latencies.count) / max(lastReply - first, 0.001)
        say("offered \(rate)/s for \(seconds) s: \(run.sent.count) accepted, \(run.refused) refused")
        say(
            "  acceptance (webhook → 200), the baseline: p50 \(Measure.format(Measure.percentile(run.acceptance, 0.5))) ms, "
                + "p99 \(Measure.format(Measure.percentile(run.acceptance, 0.99))) ms")
        say(
            "  webhook → reply at the Graph API: p50 \(Measure.format(Measure.percentile(latencies, 0.5))) ms, "
                + "p99 \(Measure.format(Measure.percentile(latencies, 0.99))) ms, max \(Measure.format(latencies.max() ?? 0)) ms"
        )
        say(
            "  \(latencies.count) of \(run.sent.count) replied; sustained \(Measure.format(throughput, 1)) replies/s "
                + "(first webhook to last reply)")
    }
}
