import Foundation
import RuleEngine
import Testing

@testable import Server

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Starts the real `rulebot serve` binary on a loopback port against a fake Graph API and talks
/// to it over HTTP with signed webhooks, as Meta would.
struct EndToEndTests {
    static let secret = "e2e-app-secret"

    static var rulebotBinary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("rulebot")
    }

    @Test(.timeLimit(.minutes(2)))
    func servesBothShippedBotsThroughRealHTTP() async throws {
        let fake = FakeGraphAPI()
        let graphPort = try await fake.start()
        defer { fake.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "rulebot-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Test copies: each bot declares its number; the expiry timer is 4 s instead of
        // 15 s: long enough that two messages posted one after the other share a session on a busy CI machine.
        let jsonCache = try ServerHarness.shippedBot("json_cache.yaml").replacingOccurrences(
            of: "storage: json:./cache_data\n", with: "phone_number_id: \"111\"\n")
        let expiry = try ServerHarness.shippedBot("expiry.yaml").replacingOccurrences(
            of: "    after: 15s", with: "    after: 4s"
        )
        .replacingOccurrences(of: "timezone: UTC\n", with: "timezone: UTC\nphone_number_id: \"222\"\n")
        try jsonCache.write(to: directory.appendingPathComponent("json_cache.yaml"), atomically: true, encoding: .utf8)
        try expiry.write(to: directory.appendingPathComponent("expiry.yaml"), atomically: true, encoding: .utf8)

        let (process, base) = try await Self.serve(
            [directory.appendingPathComponent("json_cache.yaml"), directory.appendingPathComponent("expiry.yaml")],
            in: directory, graphPort: graphPort)
        defer { if process.isRunning { process.terminate() } }

        // json_cache: welcome, then /HISTORY, each with a read receipt and a quoted reply.
        #expect(try await post(base, textWebhook("hello", id: "wamid.e2e.1", phoneNumberID: "111")) == 200)
        try await fake.wait(for: "the welcome") {
            $0.contains { $0.body["text"]["body"].string?.contains("Welcome, Mira!") == true }
        }
        #expect(
            try await post(
                base, textWebhook("/HISTORY", id: "wamid.e2e.2", phoneNumberID: "111", timestamp: 1_767_261_601)) == 200
        )
        try await fake.wait(for: "the history") {
            $0.contains { $0.body["text"]["body"].string?.contains("Total messages: 2") == true }
        }
        let welcome = try #require(fake.requests.first { $0.body["text"]["body"].string?.contains("Welcome") == true })
        #expect(welcome.path == "/v21.0/111/messages")
        #expect(welcome.authorization == "Bearer e2e-token")
        #expect(welcome.body["context"]["message_id"] == "wamid.e2e.1")
        #expect(welcome.body["to"] == "+14155550123")
        #expect(fake.requests.contains { $0.body["status"] == "read" && $0.body["message_id"] == "wamid.e2e.1" })

        // A bad signature is refused; a redelivery is acknowledged but not answered again.
        #expect(
            try await post(base, textWebhook("forged", id: "wamid.e2e.x", phoneNumberID: "111"), signature: "sha256=00")
                == 401)
        #expect(try await post(base, textWebhook("hello", id: "wamid.e2e.1", phoneNumberID: "111")) == 200)

        // expiry: two messages, then the echo after a second of silence.
        #expect(
            try await post(base, textWebhook("one", from: "34600000001", id: "wamid.e2e.3", phoneNumberID: "222"))
                == 200)
        try await fake.wait(for: "message #1") {
            $0.contains { $0.body["text"]["body"].string?.contains("Message #1 stored!") == true }
        }
        #expect(
            try await post(base, textWebhook("two", from: "34600000001", id: "wamid.e2e.4", phoneNumberID: "222"))
                == 200)
        try await fake.wait(for: "the echo") {
            $0.contains { $0.body["text"]["body"].string?.contains("Message History (2 messages)") == true }
        }
        let echo = try #require(fake.texts.first { $0.contains("Message History") })
        #expect(echo.contains("] one\n") && echo.contains("] two\n"))
        #expect(
            fake.requests.filter { $0.path == "/v21.0/222/messages" }.count == 3,
            "\(fake.requests.filter { $0.path == "/v21.0/222/messages" }.map(\.body))")
        #expect(
            fake.texts.filter { $0.contains("Welcome, Mira!") }.count == 1, "the redelivered message was answered again"
        )

        // SIGTERM: drains and exits cleanly.
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    /// Writes `yaml` as `name` in a fresh folder and serves it; returns the process, the base URL
    /// and the file.
    static func serve(
        bot yaml: String, named name: String, graphPort: Int, environment: [String: String] = [:]
    ) async throws -> (process: Process, base: String, file: URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "rulebot-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent(name)
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        let (process, base) = try await serve([file], in: directory, graphPort: graphPort, environment: environment)
        return (process, base, file)
    }

    /// Starts `rulebot serve` on `bots` with SQLite in `directory`, against the fake Graph API;
    /// returns once it is healthy.
    static func serve(
        _ bots: [URL], in directory: URL, graphPort: Int, environment extra: [String: String] = [:]
    ) async throws -> (Process, String) {
        let port = try freePort()
        let process = Process()
        process.executableURL = Self.rulebotBinary
        process.arguments =
            ["serve"] + bots.map(\.path) + [
                "--port", "\(port)", "--storage", "sqlite:\(directory.appendingPathComponent("db.sqlite").path)",
                "--env-file", directory.appendingPathComponent("none.env").path,
            ]
        process.environment = [
            "WHATSAPP_API_URL": "http://127.0.0.1:\(graphPort)/v21.0", "WHATSAPP_ACCESS_TOKEN": "e2e-token",
            "WHATSAPP_PHONE_NUMBER_ID": "111", "WHATSAPP_WEBHOOK_SECRET": Self.secret,
            "WHATSAPP_WEBHOOK_VERIFY_TOKEN": "verify",
            "LOG_LEVEL": "error", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin",
        ].merging(extra) { _, new in new }
        try process.run()
        let base = "http://127.0.0.1:\(port)"
        do { try await EndToEndTests().waitUntilHealthy(base) } catch {
            process.terminate()
            throw error
        }
        return (process, base)
    }

    func waitUntilHealthy(_ base: String) async throws {
        let url = try #require(URL(string: base + "/healthz"))
        let healthy = try await poll(seconds: 60, every: .milliseconds(50)) { () async -> Bool? in
            let answer = try? await URLSession.shared.data(from: url)
            return (answer?.1 as? HTTPURLResponse)?.statusCode == 200 ? true : nil
        }
        guard healthy != nil else { throw FakeError("rulebot serve did not become healthy") }
    }

    func post(_ base: String, _ body: [UInt8], signature: String? = nil) async throws -> Int {
        var request = URLRequest(url: try #require(URL(string: base + "/webhook")))
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(
            signature ?? SignatureVerifier(appSecret: Self.secret).header(for: body),
            forHTTPHeaderField: "X-Hub-Signature-256")
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }
}

/// A TCP port nothing listens on right now.
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
        }
    }
    guard bound else { throw FakeError("no free port") }
    return Int(UInt16(bigEndian: address.sin_port))
}
