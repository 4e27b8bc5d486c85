import Foundation
import RuleEngine
import Runtime
import Testing

@testable import Server

/// `rulebot serve` on JSON files is killed with SIGKILL in the middle of a round of webhooks, and
/// a new process on the same directory takes over: every acknowledged message is answered, once,
/// and every user's timer fires once.
struct JSONCrashTests {
    static let users = 40
    static let messagesPerUser = 6

    @Test(.timeLimit(.minutes(3)))
    func aKilledServerOnJSONFilesLosesAndDoublesNothing() async throws {
        let fake = FakeGraphAPI()
        let graphPort = try await fake.start()
        defer { fake.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "rulebot-json-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bot = directory.appendingPathComponent("expiry.yaml")
        try ServerHarness.shippedBot("expiry.yaml").replacingOccurrences(of: "    after: 15s", with: "    after: 6s")
            .write(to: bot, atomically: true, encoding: .utf8)
        let storage = "json:" + directory.appendingPathComponent("data").path
        let e2e = EndToEndTests()
        let first = try MultiInstanceTests.startInstance(
            0, bot: bot, storage: storage, graphPort: graphPort, in: directory, arguments: [])
        defer { if first.process.isRunning { first.process.terminate() } }
        try await e2e.waitUntilHealthy(first.base)

        let killRound = Self.messagesPerUser / 2
        var unacknowledged: [[UInt8]] = []
        for round in 0...killRound {
            try await withThrowingTaskGroup(of: ([UInt8], Bool).self) { group in
                for user in 0..<Self.users {
                    let phone = "3460000\(1000 + user)"
                    let body = textWebhook(
                        "m\(round)", from: phone, id: "wamid.\(phone).\(round)", timestamp: 1_767_261_600 + round)
                    group.addTask { (body, (try? await e2e.post(first.base, body)) == 200) }
                }
                var answered = 0
                for try await (body, ok) in group {
                    answered += 1
                    // Killed as the round's first answer arrives, most of the round in flight (how
                    // many were already accepted varies; every case must lose and double nothing).
                    if round == killRound, answered == 1 {
                        kill(first.process.processIdentifier, SIGKILL)
                    }
                    if !ok { unacknowledged.append(body) }
                }
            }
        }
        first.process.waitUntilExit()

        let second = try MultiInstanceTests.startInstance(
            1, bot: bot, storage: storage, graphPort: graphPort, in: directory, arguments: [])
        defer { second.process.terminate() }
        try await e2e.waitUntilHealthy(second.base)
        // Like Meta, deliver again what was not acknowledged, then go on.
        for body in unacknowledged { #expect(try await e2e.post(second.base, body) == 200) }
        for round in (killRound + 1)..<Self.messagesPerUser {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for user in 0..<Self.users {
                    let phone = "3460000\(1000 + user)"
                    let body = textWebhook(
                        "m\(round)", from: phone, id: "wamid.\(phone).\(round)", timestamp: 1_767_261_600 + round)
                    group.addTask { try await e2e.post(second.base, body) }
                }
                for try await status in group { #expect(status == 200) }
            }
        }
        try await fake.wait(seconds: 60, for: "a history echo for every user") { requests in
            Set(
                requests.filter { $0.body["text"]["body"].string?.contains("Message History") == true }.compactMap {
                    $0.body["to"].string
                }
            ).count == Self.users
        }
        // Long enough for a second firing of any timer to show.
        try await Task.sleep(for: .seconds(2))
        let problems = MultiInstanceTests.problems(
            in: fake.requests, users: Self.users, messagesPerUser: Self.messagesPerUser, killed: "Bearer t0")
        #expect(problems.isEmpty, "\(problems.prefix(10))")
    }
}
