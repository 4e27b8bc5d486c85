import Foundation
import HTTPTypes
import RuleEngine
import Runtime
import Testing

@testable import Server

/// Processing never waits for the send rate, and the rate holds for every business number.
struct SendRateTests {
    @Test func aBurstIsCommittedLongBeforeItsRepliesGoAndTheyGoAtTheRate() async throws {
        let harness = try ServerHarness(
            bots: ["json_cache.yaml": try ServerHarness.shippedBot("json_cache.yaml")], sendRate: 100)
        let time = harness.time
        let dispatcher = harness.server.host.dispatcher
        var stamps: [Double] = []
        func send() async {
            await dispatcher.deliverDue()
            stamps += Array(repeating: time.now(), count: harness.sender.sent.count - stamps.count)
        }

        // 2,000 messages from 500 users arrive at 10,000 a second of the virtual clock; the
        // outbox sends as the clock moves.
        let users = (0..<500).map { "3460001\(1000 + $0)" }
        var bodies: [[UInt8]] = []
        for round in 0..<4 {
            for user in users {
                bodies.append(textWebhook("hello \(round)", from: user, id: "wamid.\(user).\(round)"))
            }
        }
        for batch in stride(from: 0, to: bodies.count, by: 100) {
            for body in bodies[batch..<batch + 100] {
                let status = try await harness.request(.post, "/webhook", body: body, headers: signed(body)).status
                #expect(status == 200)
            }
            await harness.server.inFlight.drain()
            await send()
            time.advance(by: 0.01)
        }
        let sentWhenAllWereCommitted = stamps.count
        #expect(try await harness.storage.pendingInbox(limit: 10).isEmpty, "every event is committed")
        while let next = await dispatcher.deliverDue() {
            time.set(next)
            await send()
        }

        let total = stamps.count
        #expect(total == 4_000, "a read receipt and a reply per message")
        #expect(
            sentWhenAllWereCommitted < total / 4,
            "\(sentWhenAllWereCommitted) of \(total) sent when the last event was committed")
        var busiest = 0
        var windowStart = 0
        for (index, stamp) in stamps.enumerated() {
            while stamps[windowStart] <= stamp - 1 { windowStart += 1 }
            busiest = max(busiest, index - windowStart + 1)
        }
        #expect(busiest <= 105, "\(busiest) sends in one second")
        #expect(busiest >= 95, "and the rate is used: \(busiest) in the busiest second")
        let duration = (stamps.last ?? 0) - (stamps.first ?? 0)
        #expect(duration >= 39 && duration < 41, "4,000 at 100 a second take 40 s: \(duration)")
    }

    @Test func aBotFileSetsItsOwnNumbersThroughput() throws {
        let bot = try ServerHarness.shippedBot("json_cache.yaml") + "\nphone_number_id: \"555\"\nthroughput: 250\n"
        let harness = try ServerHarness(bots: ["json_cache.yaml": bot], sendRate: 80)
        #expect(harness.server.library.rates.rate(for: "555") == 250)
        #expect(harness.server.library.rates.rate(for: "777") == 80)
    }

    @Test func theSendRateComesFromTheEnvironmentAndMustBeANumber() throws {
        let configuration = try ServerConfiguration.from(environment: ["WHATSAPP_SEND_RATE": "1000"], dotEnv: nil)
        #expect(configuration.sendRate == 1000)
        #expect(ServerConfiguration().sendRate == 80, "Meta's default")
        #expect(throws: CLIError.self) {
            try ServerConfiguration.from(environment: ["WHATSAPP_SEND_RATE": "fast"], dotEnv: nil)
        }
    }

    private func signed(_ body: [UInt8]) -> HTTPFields {
        var headers = HTTPFields()
        if let name = HTTPField.Name("X-Hub-Signature-256") {
            headers[name] = SignatureVerifier(appSecret: ServerHarness.secret).header(for: body)
        }
        return headers
    }
}
