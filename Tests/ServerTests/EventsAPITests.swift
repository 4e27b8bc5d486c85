import Foundation
import HTTPTypes
import RuleEngine
import Runtime
import Testing

@testable import Server

/// `POST /api/events`: the business's events reach their users once per id, only with the API
/// token (never the admin token), and a bad event is refused with what is wrong.
struct EventsAPITests {
    static let bot = """
        bot: shop
        whatsapp_templates: { shipped: { language: en, body: 1 } }
        rules:
          - when: { event: order_shipped }
            fallback_template: { name: shipped, body: ["{{ event.data.order }}"] }
            do:
              - reply: "Your order {{ event.data.order }} is on its way ({{ event.id }})."
        """

    func post(_ harness: ServerHarness, _ body: String, token: String? = "api-secret") async throws -> (Int, String) {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        headers[.contentType] = "application/json"
        let answer = try await harness.request(.post, "/api/events", body: Array(body.utf8), headers: headers)
        await harness.settle()
        return (answer.status, answer.body)
    }

    @Test func anEventReachesItsUserOncePerID() async throws {
        let harness = try ServerHarness(bots: ["shop.yaml": Self.bot], apiToken: "api-secret")
        let event = #"{"user": "34600111222", "event": "order_shipped", "id": "evt-1", "data": {"order": "A-1"}}"#
        let (status, body) = try await post(harness, event)
        #expect(status == 202)
        #expect(body.contains("\"accepted\" : 1"))
        #expect(harness.replies() == ["Your order A-1 is on its way (evt-1)."])
        let (again, repeated) = try await post(harness, event)
        #expect(again == 202 && repeated.contains("\"duplicates\" : 1"))
        #expect(harness.replies().isEmpty)
        #expect(harness.sender.sent.isEmpty)
    }

    @Test func aBatchReachesEveryUser() async throws {
        let harness = try ServerHarness(bots: ["shop.yaml": Self.bot], apiToken: "api-secret")
        let batch = (1...3).map {
            #"{"user": "3460000000\#($0)", "event": "order_shipped", "id": "b-\#($0)", "data": {"order": "O\#($0)"}}"#
        }
        let (status, _) = try await post(harness, #"{"events": [\#(batch.joined(separator: ","))]}"#)
        #expect(status == 202)
        #expect(Set(harness.replies()) == Set((1...3).map { "Your order O\($0) is on its way (b-\($0))." }))
    }

    @Test func onlyTheAPITokenOpensIt() async throws {
        let event = #"{"user": "34600111222", "event": "order_shipped", "id": "x"}"#
        let harness = try ServerHarness(bots: ["shop.yaml": Self.bot], apiToken: "api-secret")
        #expect(try await post(harness, event, token: nil).0 == 401)
        #expect(try await post(harness, event, token: ServerHarness.adminToken).0 == 401)
        #expect(try await post(harness, event, token: "api-secre").0 == 401)
        let closed = try ServerHarness(bots: ["shop.yaml": Self.bot], apiToken: nil)
        #expect(try await post(closed, event).0 == 403)
        #expect(harness.sender.sent.isEmpty && closed.sender.sent.isEmpty)
    }

    @Test func aBadEventIsRefusedWithWhatIsWrong() async throws {
        let harness = try ServerHarness(bots: ["shop.yaml": Self.bot], apiToken: "api-secret")
        let (status, body) = try await post(
            harness,
            #"{"events": [{"user": "+34 600", "event": "order_shipped", "id": "1"}, {"user": "346", "event": "no spaces", "id": "2"}, {"user": "346", "event": "e"}]}"#
        )
        #expect(status == 400)
        #expect(body.contains("event 1: 'user'") && body.contains("event 2: 'event'") && body.contains("event 3: 'id'"))
        #expect(try await post(harness, "not json").0 == 400)
        #expect(harness.sender.sent.isEmpty)
    }
}
