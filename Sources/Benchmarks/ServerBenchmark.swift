import Foundation
import Hummingbird
import Logging
import NIOCore
import RuleEngine
import Runtime
import Server
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Signed webhooks over loopback at `rulebot serve`'s app (SQLite, json_cache bot), next to a
/// bare Hummingbird route in the same run, driven by wrk; plus webhook-to-reply latency at a fake Graph API.
enum ServerBenchmark {
    static let duration = 10
    static let pacedConnections = 40
    static let pacedDelay = 5

    static func run() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else {
            throw BenchmarkError("wrk is needed: apt-get install -y wrk")
        }
        say("== server: signed webhooks, json_cache bot on SQLite, wrk -t2 -d\(duration)s")
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let (directory, botPath) = try Measure.jsonCacheBot("rulebot-server-bench")
        defer { try? FileManager.default.removeItem(at: directory) }

        let fake = ReplyClock()
        let fakePort = try await fake.start(logger: logger)
        var configuration = ServerConfiguration()
        configuration.appSecret = "bench-secret"
        configuration.sendRate = 1_000_000
        let time = SystemTime()
        let sender = GraphAPISender(
            baseURL: try URL(string: "http://127.0.0.1:\(fakePort)/v21.0").orThrow(), token: "t",
            defaultPhoneNumberID: "111", logger: logger)
        let storage = try SQLiteStorage(path: directory.appendingPathComponent("db.sqlite").path)
        let server = try RulebotServer(
            configuration: configuration, files: [botPath], registry: .builtIn, storage: storage, sender: sender,
            time: time, logger: logger)
        // The outbox service's loop, as `serve` runs it, sends the replies the latency part times.
        Task { await server.outbox.run() }
        let appPort = try await startApp(server.buildRouter(), logger: logger)

        let bare = Router()
        bare.post("/webhook") { request, _ -> HTTPResponse.Status in
            _ = try await request.body.collect(upTo: 3 * 1024 * 1024)
            return .ok
        }
        let barePort = try await startApp(bare, logger: logger)

        let verifier = SignatureVerifier(appSecret: "bench-secret")
        // Latency at a steady offered load first, on a fresh server: each connection waits
        // `pacedDelay` ms after every answer, so the rate is set by the load, not by the server.
        let barePaced = try runWrk(
            port: barePort, directory: directory, name: "bare-paced", verifier: verifier, paced: true)
        let paced = try runWrk(port: appPort, directory: directory, name: "paced", verifier: verifier, paced: true)
        await server.drain()
        say("at a paced load (wrk -c\(pacedConnections), \(pacedDelay) ms between requests per connection):")
        say("  bare Hummingbird route: \(barePaced)")
        say("  rulebot /webhook: \(paced)")
        // Then as fast as the server answers.
        let bareResult = try runWrk(port: barePort, directory: directory, name: "bare", verifier: verifier)
        let rulebotResult = try runWrk(port: appPort, directory: directory, name: "rulebot", verifier: verifier)
        say("at full load (wrk -c64):")
        say("  bare Hummingbird route (baseline): \(bareResult)")
        say("  rulebot /webhook: \(rulebotResult)")
        if let bareRate = bareResult.rate, let rate = rulebotResult.rate {
            say("  rulebot throughput is \(Measure.format(rate / bareRate * 100, 1))% of the bare route")
        }
        await server.drain()
        try await replyLatency(appPort: appPort, fake: fake, verifier: verifier)
    }

    struct WrkResult: CustomStringConvertible {
        var output: String
        var rate: Double? {
            output.split(separator: "\n").first { $0.contains("Requests/sec") }.flatMap {
                Double($0.split(separator: " ").last ?? "")
            }
        }
        func percentile(_ label: String) -> String {
            output.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label) }?
                .split(separator: " ").last.map(String.init) ?? "?"
        }
        var non2xx: String {
            output.split(separator: "\n").first { $0.contains("Non-2xx") }.map(String.init) ?? "all 2xx"
        }
        var description: String {
            "\(Int(rate ?? 0)) req/s, p50 \(percentile("50%")), p99 \(percentile("99%")), \(non2xx.trimmingCharacters(in: .whitespaces))"
        }
    }

    /// Writes unique signed bodies for wrk's Lua script to cycle through, then runs wrk.
    static func runWrk(port: Int, directory: URL, name: String, verifier: SignatureVerifier, paced: Bool = false)
        throws -> WrkResult
    {
        let count = 150_000
        var lines = ""
        lines.reserveCapacity(count * 700)
        for i in 0..<count {
            let body = textWebhook(
                "message \(i)", from: "3460\(i % 1000)", id: "wamid.\(name).\(i)", timestamp: 1_767_261_600 + i)
            lines += verifier.header(for: Array(body.utf8)) + "\t" + body + "\n"
        }
        let bodies = directory.appendingPathComponent("\(name)-bodies.txt").path
        try lines.write(toFile: bodies, atomically: true, encoding: .utf8)
        let script = directory.appendingPathComponent("\(name).lua").path
        try """
        local bodies = {}
        local index = 0
        for line in io.lines("\(bodies)") do
          local tab = string.find(line, "\\t")
          table.insert(bodies, { string.sub(line, 1, tab - 1), string.sub(line, tab + 1) })
        end
        local counter = 0
        function setup(thread)
          thread:set("offset", counter)
          counter = counter + 1
        end
        function init(args)
          index = offset
        end
        request = function()
          index = index + 2
          local item = bodies[(index % #bodies) + 1]
          return wrk.format("POST", "/webhook", { ["Content-Type"] = "application/json", ["X-Hub-Signature-256"] = item[1] }, item[2])
        end
        \(paced ? "function delay() return \(pacedDelay) end" : "")
        """.write(toFile: script, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments = [
            "-t2", "-c\(paced ? pacedConnections : 64)", "-d\(duration)s", "--latency", "-s", script,
            "http://127.0.0.1:\(port)/webhook",
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return WrkResult(output: output)
    }

    static func startApp<Context: RequestContext>(_ router: Router<Context>, logger: Logger) async throws -> Int
    where Context.Source == ApplicationRequestContextSource {
        let port = Mutex<Int?>(nil)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } }, logger: logger)
        Task { try await app.runService() }
        for _ in 0..<500 {
            if let bound = port.withLock({ $0 }) { return bound }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw BenchmarkError("server did not start")
    }

    /// Sends webhooks one at a time and times each until its reply reaches the fake Graph API.
    static func replyLatency(appPort: Int, fake: ReplyClock, verifier: SignatureVerifier) async throws {
        var latencies: [Double] = []
        for i in 0..<300 {
            let id = "wamid.latency.\(i)"
            let body = textWebhook("ping \(i)", from: "3499\(i)", id: id, timestamp: 1_767_300_000 + i)
            var request = URLRequest(url: try URL(string: "http://127.0.0.1:\(appPort)/webhook").orThrow())
            request.httpMethod = "POST"
            request.httpBody = Data(body.utf8)
            request.setValue(verifier.header(for: Array(body.utf8)), forHTTPHeaderField: "X-Hub-Signature-256")
            let sent = ContinuousClock.now
            _ = try await URLSession.shared.data(for: request)
            while fake.arrival(of: id) == nil, ContinuousClock.now - sent < .seconds(5) {
                try await Task.sleep(for: .microseconds(200))
            }
            if let arrived = fake.arrival(of: id) {
                let elapsed = arrived - sent
                latencies.append(
                    Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
            }
        }
        say(
            "webhook → reply at the Graph API (one at a time, \(latencies.count) samples): p50 \(Measure.format(Measure.percentile(latencies, 0.5))) ms, "
                + "p99 \(Measure.format(Measure.percentile(latencies, 0.99))) ms")
    }
}

/// A fake Graph API that notes when the reply quoting each inbound message arrived.
final class ReplyClock: Sendable {
    private let arrivals = Mutex<[String: ContinuousClock.Instant]>([:])

    func arrival(of id: String) -> ContinuousClock.Instant? { arrivals.withLock { $0[id] } }

    func start(logger: Logger) async throws -> Int {
        let router = Router()
        router.post("/v21.0/:phone/messages") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let now = ContinuousClock.now
            if let body = try? JSONParser.parse(Array(buffer.readableBytesView)),
                let quoted = body["context"]["message_id"].string
            {
                self.arrivals.withLock { if $0[quoted] == nil { $0[quoted] = now } }
            }
            return Response(
                status: .ok, body: .init(byteBuffer: ByteBuffer(string: #"{"messages":[{"id":"wamid.x"}]}"#)))
        }
        return try await ServerBenchmark.startApp(router, logger: logger)
    }
}

/// A text-message webhook body as Meta sends it.
func textWebhook(_ text: String, from user: String, id: String, timestamp: Int) -> String {
    """
    {"object":"whatsapp_business_account","entry":[{"id":"310000000000001","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550100001","phone_number_id":"111"},"contacts":[{"profile":{"name":"Bench"},"wa_id":"\(user)"}],"messages":[{"from":"\(user)","id":"\(id)","timestamp":"\(timestamp)","type":"text","text":{"body":"\(text)"}}]}}]}]}
    """
}

extension Optional {
    func orThrow() throws -> Wrapped {
        guard let value = self else { throw BenchmarkError("missing value") }
        return value
    }
}
