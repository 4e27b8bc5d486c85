import Foundation
import RuleEngine
import Runtime
import Testing

@testable import Server

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Three `rulebot serve` processes share one Redis: one is killed with SIGKILL halfway through;
/// together they keep to one send rate. One test at a time, since each runs three servers.
@Suite(
    .serialized,
    .enabled(
        if: ProcessInfo.processInfo.environment["REDIS_URL"] != nil,
        "REDIS_URL is not set: the multi-instance test did not run"))
struct MultiInstanceTests {
    /// Where the instances keep their data: a Redis and a partition count.
    struct Layout: CustomTestStringConvertible, Sendable {
        let partitions: Int
        let cluster: Bool

        var testDescription: String { "\(partitions) partition(s)\(cluster ? " on a Redis Cluster" : "")" }

        /// One partition and four on the single Redis; eight on the cluster when there is one.
        static var available: [Layout] {
            [Layout(partitions: 1, cluster: false), Layout(partitions: 4, cluster: false)]
                + (ProcessInfo.processInfo.environment["REDIS_CLUSTER_URL"] == nil
                    ? [] : [Layout(partitions: 8, cluster: true)])
        }
    }

    static let users = 50
    static let messagesPerUser = 6

    /// Run with one partition, with users spread over four, and on a Redis Cluster.
    @Test(.timeLimit(.minutes(4)), arguments: Layout.available)
    func everyReplyAndEveryEchoExactlyOnceAcrossACrash(layout: Layout) async throws {
        let fake = FakeGraphAPI()
        let graphPort = try await fake.start()
        defer { fake.stop() }
        let (redisURL, directory) = try Self.scratch(layout)
        let bot = directory.appendingPathComponent("expiry.yaml")
        try ServerHarness.shippedBot("expiry.yaml").replacingOccurrences(of: "    after: 15s", with: "    after: 6s")
            .write(to: bot, atomically: true, encoding: .utf8)

        let instances = try Self.startInstances(
            bot: bot, redisURL: redisURL, graphPort: graphPort, in: directory,
            arguments: ["--timer-lease", "3", "--recovery-interval", "0.5"])
        defer { for instance in instances where instance.process.isRunning { instance.process.terminate() } }
        let e2e = EndToEndTests()
        for instance in instances { try await e2e.waitUntilHealthy(instance.base) }

        let running = instances
        let killRound = Self.messagesPerUser / 2
        var acknowledged: [String: Int] = [:]
        for round in 0..<Self.messagesPerUser {
            if round == killRound {
                kill(running[1].process.processIdentifier, SIGKILL)
            }
            try await withThrowingTaskGroup(of: (String, Bool).self) { group in
                for user in 0..<Self.users {
                    let phone = "3460000\(1000 + user)"
                    let body = textWebhook(
                        "m\(round)", from: phone, id: "wamid.\(phone).\(round)", timestamp: 1_767_261_600 + round)
                    group.addTask {
                        // Like Meta, try again on another instance until one answers 200.
                        for attempt in 0..<6 {
                            let instance = running[(user + round + attempt) % running.count]
                            if (try? await e2e.post(instance.base, body)) == 200 { return (phone, true) }
                        }
                        return (phone, false)
                    }
                }
                for try await (phone, ok) in group where ok { acknowledged[phone, default: 0] += 1 }
            }
        }
        #expect(
            acknowledged.values.reduce(0, +) == Self.users * Self.messagesPerUser,
            "every webhook was eventually acknowledged")

        try await fake.wait(seconds: 90, for: "an echo for every user") { requests in
            Set(
                requests.filter { $0.body["text"]["body"].string?.contains("Message History") == true }.compactMap {
                    $0.body["to"].string
                }
            ).count
                == Self.users
        }
        // Messages the killed instance was sending are held for 30 s, then a survivor resends them.
        let storage = try RedisStorage(url: redisURL)
        let deadline = Date().addingTimeInterval(75)
        while Date() < deadline {
            let outboxEmpty = try await storage.pendingOutbox(limit: 1).isEmpty
            let inboxEmpty = try await storage.pendingInbox(limit: 1).isEmpty
            if outboxEmpty && inboxEmpty { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        // Long enough for any lapsed lease or recovery pass to show a duplicate.
        try await Task.sleep(for: .seconds(3))

        let problems = Self.problems(
            in: fake.requests, users: Self.users, messagesPerUser: Self.messagesPerUser, killed: "Bearer t1")
        #expect(problems.isEmpty, "\(problems.prefix(10))")

        #expect(try await storage.pendingOutbox(limit: 100).isEmpty, "nothing left in the outbox")
        #expect(try await storage.pendingInbox(limit: 100).isEmpty, "nothing left in the inbox")
    }

    /// What is wrong with the expiry bot's replies to `users` users who each sent
    /// `messagesPerUser` messages: every numbered reply once and one history echo each. The one
    /// allowed duplicate is a reply the `killed` instance (by its token) had handed to the Graph
    /// API but not yet crossed off its outbox when it died; a survivor resends it rather than
    /// lose it. Who sent each copy decides, not who accepted the event.
    static func problems(
        in requests: [FakeGraphAPI.Received], users: Int, messagesPerUser: Int, killed: String
    ) -> [String] {
        var problems: [String] = []
        let byUser = Dictionary(
            grouping: requests.compactMap { r -> (String, String, String?)? in
                guard let to = r.body["to"].string, let text = r.body["text"]["body"].string else { return nil }
                return (to, text, r.authorization)
            }, by: \.0)
        for user in 0..<users {
            let sent = byUser["+3460000\(1000 + user)"] ?? []
            let texts = sent.map(\.1)
            let echoes = texts.filter { $0.contains("Message History") }
            // Each "stored!" reply with its number (#1…) and the token of the instance that sent it.
            let replies = sent.filter { $0.1.contains("stored!") && !$0.1.contains("Message History") }.compactMap {
                reply -> (number: String, sender: String?)? in
                reply.1.range(of: #"#\d+"#, options: .regularExpression).map { (String(reply.1[$0]), reply.2) }
            }
            let numbers = replies.map(\.number)
            if Set(numbers) != Set((1...messagesPerUser).map { "#\($0)" }) {
                problems.append("user \(user): replies \(numbers)")
            }
            for number in Set(numbers) where numbers.filter({ $0 == number }).count > 1 {
                let senders = replies.filter { $0.number == number }.map(\.sender)
                if senders.count > 2 || !senders.contains(killed) {
                    problems.append("user \(user): \(number) sent \(senders.count) times, by \(senders)")
                }
            }
            if echoes.count != 1 || !(echoes.first?.contains("(\(messagesPerUser) messages)") ?? false) {
                problems.append("user \(user): \(echoes.count) echoes \(echoes.map { $0.prefix(40) })")
            }
        }
        return problems
    }

    @Test(.timeLimit(.minutes(2)))
    func threeInstancesTogetherStayWithinTheSendRate() async throws {
        let fake = FakeGraphAPI()
        let graphPort = try await fake.start()
        defer { fake.stop() }
        let (redisURL, directory) = try Self.scratch()
        let bot = directory.appendingPathComponent("json_cache.yaml")
        try ServerHarness.shippedBot("json_cache.yaml").write(to: bot, atomically: true, encoding: .utf8)
        let instances = try Self.startInstances(
            bot: bot, redisURL: redisURL, graphPort: graphPort, in: directory, arguments: ["--send-rate", "60"])
        defer { for instance in instances { instance.process.terminate() } }
        let e2e = EndToEndTests()
        for instance in instances { try await e2e.waitUntilHealthy(instance.base) }

        // One message per instance first, so each has its connection to the Graph API open: the
        // time a first connection takes would bunch up the requests behind it.
        for (index, instance) in instances.enumerated() {
            let phone = "34600030\(index)"
            #expect(try await e2e.post(instance.base, textWebhook("hi", from: phone, id: "wamid.warm.\(index)")) == 200)
        }
        try await fake.wait(seconds: 30, for: "the warm-up replies") { $0.count >= 2 * instances.count }
        let warmUp = fake.requests.count

        // 180 users write at once, 60 in one webhook to each instance: a read receipt and a reply
        // each, 360 requests to one business number. (Three webhooks, not 180, so the test
        // process, which also times the arrivals, stays idle while they are sent.)
        let users = 180
        for (index, instance) in instances.enumerated() {
            let bodies = (0..<users / 3).map { user in
                let phone = "3460002\(1000 + index * 100 + user)"
                return textWebhook("hi", from: phone, id: "wamid.rate.\(phone)")
            }
            #expect(try await e2e.post(instance.base, try webhook(merging: bodies)) == 200)
        }
        try await fake.wait(seconds: 60, for: "every read receipt and reply") { $0.count >= warmUp + 2 * users }

        let arrivals = fake.requests.dropFirst(warmUp).map(\.at).sorted()
        var busiest = 0
        var windowStart = 0
        for (index, arrival) in arrivals.enumerated() {
            while arrivals[windowStart] <= arrival.addingTimeInterval(-1) { windowStart += 1 }
            busiest = max(busiest, index - windowStart + 1)
        }
        // The bucket lets 60 a second start, plus a burst of 1.2; they are counted here as they
        // arrive, so a spread of 50 ms in how long requests take (seen with the whole suite
        // running) adds 3. Three instances each at the rate would show about 180.
        #expect(busiest <= 66, "\(busiest) requests in one second, from three instances at 60 a second together")
        let senders = Set(fake.requests.compactMap(\.authorization))
        #expect(senders.count == 3, "every instance sent some: \(senders)")
    }

    /// One webhook body carrying the entries of several.
    func webhook(merging bodies: [[UInt8]]) throws -> [UInt8] {
        let entries = try bodies.flatMap { body -> [Value] in
            guard case .array(let entries) = try JSONParser.parse(body)["entry"] else { return [] }
            return entries
        }
        let merged: Value = .object(["object": "whatsapp_business_account", "entry": .array(entries)])
        return Array(merged.jsonText.utf8)
    }

    /// A Redis URL with a prefix of its own and an empty folder.
    static func scratch(_ layout: Layout = Layout(partitions: 1, cluster: false)) throws -> (
        redisURL: String, directory: URL
    ) {
        let redisBase = try #require(
            ProcessInfo.processInfo.environment[layout.cluster ? "REDIS_CLUSTER_URL" : "REDIS_URL"])
        let redisURL =
            redisBase + (redisBase.contains("?") ? "&" : "?")
            + "prefix=multi-\(UUID().uuidString.prefix(8)):&partitions=\(layout.partitions)"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "rulebot-multi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return (redisURL, directory)
    }

    /// Three `rulebot serve` processes for `bot` on one Redis, each sending to the fake Graph API
    /// with its own token (`t0`…), so the fake knows which instance sent what.
    static func startInstances(
        bot: URL, redisURL: String, graphPort: Int, in directory: URL, arguments: [String]
    ) throws -> [(process: Process, base: String)] {
        try (0..<3).map { index in
            try startInstance(
                index, bot: bot, storage: redisURL, graphPort: graphPort, in: directory, arguments: arguments)
        }
    }

    /// A `rulebot serve` process for `bot` on `storage`, sending with the token `tINDEX`.
    static func startInstance(
        _ index: Int, bot: URL, storage: String, graphPort: Int, in directory: URL, arguments: [String]
    ) throws -> (process: Process, base: String) {
        let port = try freePort()
        let process = Process()
        process.executableURL = EndToEndTests.rulebotBinary
        process.arguments =
            [
                "serve", bot.path, "--port", "\(port)", "--storage", storage,
                "--env-file", directory.appendingPathComponent("none.env").path,
            ] + arguments
        process.environment = [
            "WHATSAPP_API_URL": "http://127.0.0.1:\(graphPort)/v21.0", "WHATSAPP_ACCESS_TOKEN": "t\(index)",
            "WHATSAPP_PHONE_NUMBER_ID": "111",
            "WHATSAPP_WEBHOOK_SECRET": EndToEndTests.secret, "LOG_LEVEL": "error",
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin",
        ]
        try process.run()
        return (process, "http://127.0.0.1:\(port)")
    }
}
