import Foundation
import RuleEngine
import Runtime
import Testing

@testable import Server

/// What rules read of every inbound kind, from Meta's payloads (the inbound fixtures) through the
/// webhook parser to expressions: locations, contacts, orders, ads, Flows, list titles, statuses.
struct InboundDetailsTests {
    /// The value of `expression` for the first event of the fixture `path`.
    func evaluate(_ expression: String, on path: String) throws -> Value {
        let json = try JSONDecoder().decode(Value.self, from: Data(try ServerHarness.fixture(path)))
        let event = try #require(WebhookPayload.parse(json).items.first?.event)
        let source = """
            rules:
              - when: message
                do: [{ set: { key: user.out, value: "=\(expression)" } }]
              - when: status
                do: [{ set: { key: user.out, value: "=\(expression)" } }]
            """
        let result = BotCompiler().compile(source: source, file: "bot.yaml")
        #expect(result.diagnostics.isEmpty, "\(DiagnosticRenderer(source: source).render(result.diagnostics))")
        let bot = try LoadedBot(graph: try #require(result.graph))
        let evaluation = try Evaluator.evaluate(
            bot, snapshot: UserSnapshot(userID: event.userID), event: event, now: 1_767_261_700)
        return evaluation.commit.writes[StorageKey(.user, "out")]??.value ?? .null
    }

    @Test func locationsContactsAndOrders() throws {
        #expect(try evaluate("message.location.name", on: "inbound/location.json") == "Fixture Café")
        #expect(try evaluate("message.location.url", on: "inbound/location.json") == "https://example.org/cafe")
        #expect(try evaluate("message.location.latitude", on: "inbound/location.json") == .double(52.520008))
        #expect(try evaluate("message.contacts[0].name", on: "inbound/contacts.json") == "Ravi K. Menon")
        #expect(try evaluate("message.contacts[0].phones[1]", on: "inbound/contacts.json") == "+1 415 555 0100")
        #expect(try evaluate("count(message.contacts)", on: "inbound/contacts.json") == .int(2))
        #expect(try evaluate("message.order.catalog_id", on: "inbound/order.json") == "510000000000001")
        #expect(
            try evaluate("message.order.items[0].price * message.order.items[0].quantity", on: "inbound/order.json")
                == .double(79.8))
        #expect(try evaluate("message.order.items[1].product_id", on: "inbound/order.json") == "sku-mug-set")
    }

    @Test func adsFlowsTitlesAndForwarding() throws {
        #expect(try evaluate("message.referral.headline", on: "inbound/text_referral_ctwa.json") == "Chat with us")
        #expect(
            try evaluate("message.referral.ctwa_clid", on: "inbound/text_referral_ctwa.json")
                == "FixtureClickId_AbCdEf0123456789")
        #expect(try evaluate("message.flow.rating", on: "inbound/interactive_nfm_reply_flow.json") == "5")
        #expect(try evaluate("message.flow.comment", on: "inbound/interactive_nfm_reply_flow.json") == "Ótimo")
        #expect(try evaluate("message.button_title", on: "inbound/interactive_list_reply.json") == "Express")
        #expect(try evaluate("message.frequently_forwarded", on: "inbound/text_frequently_forwarded.json") == true)
        #expect(try evaluate("message.forwarded", on: "inbound/text_forwarded.json") == true)
        #expect(try evaluate("message.frequently_forwarded", on: "inbound/text.json") == false)
        #expect(try evaluate("message.emoji", on: "inbound/reaction.json") == "👍")
        #expect(try evaluate("message.location", on: "inbound/text.json") == .null)
    }

    @Test func aFailedStatusCarriesItsError() throws {
        #expect(try evaluate("status.error.code", on: "status/failed_131047_reengagement.json") == .int(131047))
        #expect(
            try evaluate("status.error.title", on: "status/failed_131047_reengagement.json") == "Re-engagement message")
        #expect(try evaluate("status.name", on: "status/failed_131047_reengagement.json") == "failed")
        #expect(try evaluate("status.rule", on: "status/failed_131047_reengagement.json") == .null)
    }
}
