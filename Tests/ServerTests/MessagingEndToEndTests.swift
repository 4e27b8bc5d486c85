import Foundation
import RuleEngine
import Testing

@testable import Server

/// The message kinds of #12 through the real `rulebot serve` over HTTP: an image and a template
/// go out in Meta's shapes, a status webhook reaches the rule tied to the reply it is about, and
/// a send the Graph API refuses for good comes back as `send_failed`, handled by a rule.
struct MessagingEndToEndTests {
    static let bot = """
        bot: shop
        phone_number_id: "111"
        whatsapp_templates:
          order_update: { language: en_US, body: [name] }
        rules:
          - id: menu
            when: /MENU
            do:
              - reply: { image: "https://cdn.example.org/pizza.jpg", text: Margherita }
              - send_template: { name: order_update, body: { name: "{{ contact.name }}" } }
          - id: blocked
            when: /BLOCKED
            do:
              - reply: FAIL-131026
          - id: delivered
            when: { status: delivered }
            fallback_template: { name: order_update, body: { name: late } }
            do:
              - reply: "delivered: {{ status.rule }} {{ status.outbox_id }}"
          - id: failed
            when: send_failed
            fallback_template: { name: order_update, body: { name: late } }
            do:
              - reply: "failed: {{ status.error.code }} from {{ status.rule }}"

        """

    @Test(.timeLimit(.minutes(2)))
    func templateImageStatusAndFailureOverRealHTTP() async throws {
        let fake = FakeGraphAPI()
        let graphPort = try await fake.start()
        defer { fake.stop() }
        let (process, base, _) = try await EndToEndTests.serve(
            bot: Self.bot, named: "shop.yaml", graphPort: graphPort)
        defer { if process.isRunning { process.terminate() } }
        let now = Int(Date().timeIntervalSince1970)
        let e2e = EndToEndTests()

        #expect(
            try await e2e.post(base, textWebhook("/MENU", id: "wamid.m.1", phoneNumberID: "111", timestamp: now)) == 200
        )
        try await fake.wait(for: "the image and the template") {
            $0.contains { $0.body["type"] == "image" } && $0.contains { $0.body["type"] == "template" }
        }
        let image = try #require(fake.requests.first { $0.body["type"] == "image" })
        #expect(image.body["image"] == .object(["link": "https://cdn.example.org/pizza.jpg", "caption": "Margherita"]))
        let template = try #require(fake.requests.first { $0.body["type"] == "template" })
        #expect(template.body["template"]["name"] == "order_update")
        #expect(template.body["template"]["language"]["code"] == "en_US")
        #expect(
            template.body["template"]["components"]
                == .array([
                    .object([
                        "type": "body",
                        "parameters": .array([.object(["type": "text", "parameter_name": "name", "text": "Mira"])]),
                    ])
                ]))

        // Meta reports the image delivered, echoing the callback data it was sent with.
        let callback = try #require(image.body["biz_opaque_callback_data"].string)
        let outboxID = try #require(SendCallbackText.outboxID(callback))
        #expect(
            try await e2e.post(
                base, statusWebhook(id: "wamid.fake.0", status: "delivered", callback: callback, timestamp: now + 1))
                == 200)
        try await fake.wait(for: "the status rule's reply") {
            $0.contains { $0.body["text"]["body"].string == "delivered: menu \(outboxID)" }
        }

        // A message refused for good (131026) becomes send_failed, handled by its rule.
        #expect(
            try await e2e.post(base, textWebhook("/BLOCKED", id: "wamid.m.2", phoneNumberID: "111", timestamp: now + 2))
                == 200)
        try await fake.wait(for: "the send_failed rule's reply") {
            $0.contains { $0.body["text"]["body"].string == "failed: 131026 from blocked" }
        }
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}

/// Reads the outbox id out of the callback text RuleBot writes (`rb1|RULE|OUTBOX-ID`).
enum SendCallbackText {
    static func outboxID(_ text: String) -> String? {
        let parts = text.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false)
        return parts.count == 3 && parts[0] == "rb1" ? String(parts[2]) : nil
    }
}

/// A status webhook for a message the bot sent, as Meta delivers it.
func statusWebhook(
    id: String, status: String, recipient: String = "14155550123", callback: String? = nil,
    errors: [Value] = [], phoneNumberID: String = "111", timestamp: Int
) -> [UInt8] {
    var fields: [String: Value] = [
        "id": .string(id), "status": .string(status), "timestamp": .string(String(timestamp)),
        "recipient_id": .string(recipient),
    ]
    if let callback { fields["biz_opaque_callback_data"] = .string(callback) }
    if !errors.isEmpty { fields["errors"] = .array(errors) }
    return webhook(phoneNumberID: phoneNumberID, ["statuses": .array([.object(fields)])])
}
