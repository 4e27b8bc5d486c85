import Foundation
import HTTPTypes
import RuleEngine
import Runtime
import Testing

@testable import Server

/// `rulebot why` on the shipped json_cache bot: after /EXIT in state normal it says exit-wappa
/// did not fire because of the state, and which rule answered; a later status of that answer
/// shows beside it.
struct WhyTests {
    @Test func whyExitWappaDidNotFire() async throws {
        let harness = try ServerHarness(bots: ["json_cache.yaml": try ServerHarness.shippedBot("json_cache.yaml")])
        #expect(
            try await harness.webhook(textWebhook("hello", from: "34600111222", id: "y1", timestamp: 1_767_261_600))
                == 200)
        #expect(
            try await harness.webhook(textWebhook("/EXIT", from: "34600111222", id: "y2", timestamp: 1_767_261_601))
                == 200)
        let sent = try #require(harness.sender.sent.last { if case .text = $0.body { true } else { false } })
        let callback = try #require(SendCallback(message: sent).text)
        #expect(
            try await harness.webhook(
                statusWebhook(
                    id: "wamid.s", status: "read", recipient: "34600111222", callback: callback,
                    phoneNumberID: "410000000000001", timestamp: 1_767_261_602)) == 200)

        let host = harness.server.host
        let traces = try await Inspector(host: host).traces(
            try #require(host.bots["json_cache"]), userID: "34600111222", last: 3)
        let text = traces.reversed().map(InspectText.trace).joined()
        #expect(text.contains("text \"/EXIT\""))
        #expect(text.contains("✗ exit-wappa") && text.contains("user is in state 'normal', rule needs 'wappa'"))
        #expect(text.contains("✓ exit-not-in-wappa"))
        #expect(text.contains("You are not in WAPPA state"))
        #expect(text.contains("↳ the reply \(sent.id) is read"))
    }
}
