import Foundation
import HTTPTypes
import RuleEngine
import Runtime
import Testing

@testable import Server

struct WebhookTests {
    static let echoBot = """
        bot: echo
        rules:
          - when: text
            do:
              - reply: "echo: {{ message.text }}"
          - when: message
            do:
              - reply: "got {{ message.type }} {{ message.button ?? '' }}{{ message.emoji ?? '' }}"
        """

    @Test func verificationFollowsTheFixtureCases() async throws {
        let harness = try ServerHarness(bots: ["echo.yaml": Self.echoBot])
        let cases = try JSONDecoder().decode(
            Value.self, from: Data(try ServerHarness.fixture("verification/get_cases.json")))
        guard case .array(let list) = cases["cases"] else { throw CancellationError() }
        for item in list {
            let query = item["query"].string ?? ""
            let (status, body) = try await harness.request(.get, "/webhook" + (query.isEmpty ? "" : "?\(query)"))
            #expect(status == Int(item["expect_status"].number ?? 0), "\(item["name"].text)")
            if let expected = item["expect_body"].string { #expect(body == expected, "\(item["name"].text)") }
        }
    }

    @Test func signatureVectors() throws {
        let vectors = try JSONDecoder().decode(
            Value.self, from: Data(try ServerHarness.fixture("signature/vectors.json")))
        let verifier = SignatureVerifier(appSecret: vectors["app_secret"].text)
        guard case .array(let list) = vectors["vectors"] else { throw CancellationError() }
        #expect(list.count >= 10)
        for vector in list {
            let body: [UInt8] =
                if let b64 = vector["body_b64"].string, let data = Data(base64Encoded: b64) { Array(data) } else {
                    try ServerHarness.fixture(vector["body_file"].text)
                }
            let valid = verifier.isValid(header: vector["header"].string, body: body)
            switch vector["expect"].text {
            case "valid", "valid_only_with_escape_fallback", "implementation_choice":
                #expect(valid, "\(vector["name"].text)")
            default: #expect(!valid, "\(vector["name"].text)")
            }
        }
    }

    @Test func badSignatureIsRefusedAndNothingIsStored() async throws {
        let harness = try ServerHarness(bots: ["echo.yaml": Self.echoBot])
        let body = textWebhook("hi", id: "wamid.sig")
        #expect(try await harness.webhook(body, signature: "sha256=" + String(repeating: "0", count: 64)) == 401)
        #expect(try await harness.webhook(body, signature: "") == 401)
        #expect(harness.replies().isEmpty)
        #expect(try await harness.webhook(body) == 200)
        #expect(harness.replies() == ["echo: hi"])
    }

    @Test(arguments: try fixtureFiles())
    func everyFixtureIsAcknowledged(path: String) async throws {
        let harness = try ServerHarness(bots: ["echo.yaml": Self.echoBot])
        #expect(try await harness.webhook(try ServerHarness.fixture(path)) == 200)
    }

    static func fixtureFiles() throws -> [String] {
        try ["inbound", "status", "multi", "edge"].flatMap { folder in
            try FileManager.default.contentsOfDirectory(
                atPath: ServerHarness.fixturesRoot.appendingPathComponent(folder).path
            )
            .filter { $0.hasSuffix(".json") }.sorted().map { "\(folder)/\($0)" }
        }
    }

    @Test func malformedOversizedAndForeignBodies() async throws {
        let harness = try ServerHarness(bots: ["echo.yaml": Self.echoBot])
        #expect(try await harness.webhook(Array("{not json".utf8)) == 400)
        #expect(try await harness.webhook(Array(repeating: UInt8(ascii: " "), count: 3 * 1024 * 1024 + 1)) == 413)
        #expect(try await harness.webhook(try ServerHarness.fixture("edge/non_whatsapp_object.json")) == 200)
        #expect(harness.replies().isEmpty)
        #expect(try await harness.webhook(textWebhook("still alive", id: "wamid.after")) == 200)
        #expect(harness.replies() == ["echo: still alive"])
    }

    @Test func aRedeliveredMessageIsAnsweredOnce() async throws {
        let harness = try ServerHarness(bots: ["echo.yaml": Self.echoBot])
        let body = textWebhook("once", id: "wamid.dup")
        #expect(try await harness.webhook(body) == 200)
        #expect(try await harness.webhook(body) == 200)
        #expect(harness.replies() == ["echo: once"])
    }

    @Test func reactionRemovalIsNotMistakenForADuplicate() async throws {
        let harness = try ServerHarness(bots: ["echo.yaml": Self.echoBot])
        #expect(try await harness.webhook(try ServerHarness.fixture("inbound/reaction.json")) == 200)
        #expect(try await harness.webhook(try ServerHarness.fixture("inbound/reaction_removed.json")) == 200)
        #expect(try await harness.webhook(try ServerHarness.fixture("inbound/reaction_removed.json")) == 200)
        #expect(harness.replies() == ["got reaction 👍", "got reaction"])
    }

    @Test func everyMessageOfADeliveryIsHandledWithItsOwnContact() async throws {
        let harness = try ServerHarness(bots: [
            "echo.yaml": Self.echoBot.replacingOccurrences(of: "echo: {{", with: "{{ contact.name }}: {{")
        ])
        #expect(try await harness.webhook(try ServerHarness.fixture("multi/two_users_one_change.json")) == 200)
        #expect(try await harness.webhook(try ServerHarness.fixture("multi/two_users_two_changes.json")) == 200)
        let replies = harness.replies()
        #expect(replies.count == 4)
        #expect(replies.allSatisfy { !$0.hasPrefix(":") }, "\(replies)")
    }

    @Test func inboundTypesAreNormalised() throws {
        func event(_ path: String) throws -> InboundMessage {
            let json = try JSONDecoder().decode(Value.self, from: Data(try ServerHarness.fixture(path)))
            guard case .message(let message)? = WebhookPayload.parse(json).items.first?.event.kind else {
                throw CancellationError()
            }
            return message
        }
        #expect(try event("inbound/text.json").text == "Hi! Is the blue kettle back in stock?")
        #expect(try event("inbound/image.json").caption != nil)
        #expect(try event("inbound/document.json").filename != nil)
        #expect(try event("inbound/location.json").latitude != nil)
        #expect(try event("inbound/interactive_button_reply.json").buttonID == "confirm-slot-42")
        #expect(try event("inbound/interactive_list_reply.json").buttonID != nil)
        #expect(try event("inbound/button_template_quick_reply.json").buttonID != nil)
        #expect(try event("inbound/reaction.json").emoji == "👍")
        #expect(try event("inbound/text_reply_context.json").replyTo != nil)
        #expect(try event("inbound/text_forwarded.json").forwarded)
        #expect(try event("inbound/system_user_changed_number.json").type == "system")
        let future = try event("edge/unknown_future_type.json")
        #expect(future.type == "hologram")
        #expect(future.raw?["hologram"] != nil)
    }

    @Test func statusesBecomeEventsInDeliveryOrder() throws {
        let json = try JSONDecoder().decode(
            Value.self, from: Data(try ServerHarness.fixture("status/batch_out_of_order.json")))
        let items = RulebotServer.ordered(WebhookPayload.parse(json).items)
        let statuses = items.compactMap { item -> String? in
            guard case .status(let status) = item.event.kind else { return nil }
            return "\(status.messageID.suffix(4)):\(status.status)"
        }
        #expect(statuses.count == 4)
        let first = statuses.filter { $0.hasPrefix(statuses[0].prefix(4)) }.map { $0.split(separator: ":")[1] }
        #expect(first == ["sent", "delivered", "read"] || first.count < 3)
    }

    @Test func messagesOfOneUserAreHandledInTimestampOrder() async throws {
        let harness = try ServerHarness(bots: ["echo.yaml": Self.echoBot])
        let late = textWebhook("second", id: "wamid.b", timestamp: 200)
        let early = textWebhook("first", id: "wamid.a", timestamp: 100)
        // One delivery holding both messages, the later one listed first.
        var json = try JSONDecoder().decode(Value.self, from: Data(late))
        let other = try JSONDecoder().decode(Value.self, from: Data(early))
        if case .object(var root) = json, case .array(var entries) = root["entry"],
            case .array(let more) = other["entry"]
        {
            entries += more
            root["entry"] = .array(entries)
            json = .object(root)
        }
        #expect(try await harness.webhook(Array(json.jsonText.utf8)) == 200)
        #expect(harness.replies() == ["echo: first", "echo: second"])
    }
}
