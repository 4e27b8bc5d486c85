import Foundation
import RuleEngine
import Runtime
import Testing

@testable import Server

struct GraphAPITests {
    func fixture(_ name: String) throws -> Value {
        try JSONDecoder().decode(Value.self, from: Data(try ServerHarness.fixture("outbound/\(name)")))
    }

    /// Our bodies equal Meta's documented requests, field for field.
    @Test func payloadsMatchTheOutboundFixtures() throws {
        let textReply = OutboundMessage(
            id: "1", bot: "b", to: "14155550123", replyTo: "wamid.Zml4dHVyZTppbi10ZXh0LTE=",
            body: .text("Confirmed for Thursday at 10:00."),
            createdAt: 0)
        var expected = try fixture("requests/text_reply_context.json")
        if case .object(var fields) = expected, case .object(var text) = fields["text"] {
            text["preview_url"] = false
            fields["text"] = .object(text)
            expected = .object(fields)
        }
        #expect(GraphPayload.bodies(for: textReply) == [expected])

        let buttons = OutboundMessage(
            id: "2", bot: "b", to: "14155550123",
            body: .buttons(
                text: "We can deliver Thursday 10:00-12:00. Does that work?",
                buttons: [
                    OutboundMessage.Button(id: "confirm-slot-42", title: "Confirm"),
                    OutboundMessage.Button(id: "change-slot-42", title: "Change"),
                    OutboundMessage.Button(id: "cancel-order-8812", title: "Cancel order"),
                ], header: "Delivery slot", footer: "Reply within 24h"), createdAt: 0)
        #expect(GraphPayload.bodies(for: buttons) == [try fixture("requests/interactive_buttons.json")])

        let list = OutboundMessage(
            id: "3", bot: "b", to: "14155550123",
            body: .list(
                text: "How fast do you need it?", button: "Choose shipping",
                sections: [
                    OutboundMessage.ListSection(
                        title: "Fast",
                        rows: [
                            OutboundMessage.ListRow(
                                id: "ship-express", title: "Express", description: "1-2 business days"),
                            OutboundMessage.ListRow(
                                id: "ship-priority", title: "Priority", description: "2-3 business days"),
                        ]),
                    OutboundMessage.ListSection(
                        title: "Cheap",
                        rows: [
                            OutboundMessage.ListRow(
                                id: "ship-standard", title: "Standard", description: "3-5 business days")
                        ]),
                ], header: "Shipping options", footer: "Prices include VAT"), createdAt: 0)
        #expect(GraphPayload.bodies(for: list) == [try fixture("requests/interactive_list.json")])

        let typing = OutboundMessage(
            id: "4", bot: "b", to: "1", body: .markRead(messageID: "wamid.Zml4dHVyZTppbi10ZXh0LTE=", typing: true),
            createdAt: 0)
        #expect(GraphPayload.bodies(for: typing) == [try fixture("requests/typing_indicator.json")])
        let read = OutboundMessage(
            id: "5", bot: "b", to: "1", body: .markRead(messageID: "wamid.Zml4dHVyZTppbi10ZXh0LTE=", typing: false),
            createdAt: 0)
        #expect(GraphPayload.bodies(for: read) == [try fixture("requests/mark_read.json")])
    }

    @Test func longTextsAreSplitAtLineBreaks() {
        let line = String(repeating: "x", count: 1000)
        let text = Array(repeating: line, count: 9).joined(separator: "\n")
        let parts = GraphPayload.split(text)
        #expect(parts.count == 3)
        #expect(parts.allSatisfy { $0.count <= 4096 })
        #expect(parts.joined(separator: "\n") == text)
        #expect(GraphPayload.split(String(repeating: "y", count: 5000)).map(\.count) == [4096, 904])
        for body: OutboundMessage.Body in [.text(text), .text("short"), .markRead(messageID: "w", typing: true)] {
            let message = OutboundMessage(id: "m", bot: "b", to: "1", body: body, createdAt: 0)
            #expect(GraphPayload.requestCount(for: message) == GraphPayload.bodies(for: message).count)
        }
    }

    @Test func aNumberInMaintenanceIsTriedAgainAfterAMinute() {
        let body = Data(#"{"error":{"code":131057,"message":"Account in maintenance mode"}}"#.utf8)
        #expect(
            GraphError.outcome(status: 500, body: body, retryAfter: nil)
                == .retry(after: 60, reason: "131057: Account in maintenance mode"))
    }

    @Test func errorsAreClassifiedAsMetaDocumentsThem() throws {
        let statuses = try fixture("responses/_http_status.json")
        guard case .object(let files) = statuses else { throw CancellationError() }
        let retryable: Set<String> = [
            "error_130429_rate_limit.json", "error_4_too_many_calls.json",
            "error_80007_waba_rate_limit.json", "error_131000_something_went_wrong.json",
        ]
        for (file, status) in files {
            let body = try ServerHarness.fixture("outbound/responses/\(file)")
            let outcome = GraphError.outcome(status: Int(status.number ?? 0), body: Data(body), retryAfter: nil)
            switch outcome {
            case .sent: #expect(file.hasPrefix("send_success") || file.hasPrefix("mark_read"), "\(file)")
            case .retry: #expect(retryable.contains(file), "\(file) should not be retried")
            case .pairRateLimited: #expect(file == "error_131056_pair_rate_limit.json", "\(file)")
            case .failed(let reason):
                #expect(!retryable.contains(file) && file.hasPrefix("error"), "\(file) should be retried")
                if file.contains("190") { #expect(reason.hasPrefix("access token")) }
            }
        }
    }
}
