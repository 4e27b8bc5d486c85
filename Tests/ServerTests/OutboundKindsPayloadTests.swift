import Foundation
import RuleEngine
import Runtime
import Testing

@testable import Server

/// Every outbound kind, from the bot file through the evaluator to the Graph API body, compared
/// with Meta's documented request (the outbound fixtures, or the shape the reference gives).
struct OutboundKindsPayloadTests {
    static let wamid = "wamid.Zml4dHVyZTppbi10ZXh0LTE="

    /// The Graph API bodies the bot's `/GO` rule sends, without the callback data (checked apart).
    func bodies(_ rules: String, header: String = "") throws -> [Value] {
        let source = header + "rules:\n  - id: go\n    when: /GO\n    do:\n" + rules
        let result = BotCompiler().compile(source: source, file: "bot.yaml")
        let errors = result.diagnostics.filter { $0.severity == .error }
        #expect(errors.isEmpty, "\(DiagnosticRenderer(source: source).render(errors))")
        let bot = try LoadedBot(graph: try #require(result.graph))
        let event = InboundEvent(
            id: Self.wamid, userID: "14155550123", contactName: "Mira",
            kind: .message(InboundMessage(id: Self.wamid, type: "text", timestamp: 1000, text: "/GO")))
        let evaluation = try Evaluator.evaluate(
            bot, snapshot: UserSnapshot(userID: "14155550123"), event: event, now: 1000)
        return evaluation.commit.outbox.flatMap(GraphPayload.bodies).map { body in
            guard case .object(var fields) = body else { return body }
            if fields["status"] == nil {
                #expect(fields["biz_opaque_callback_data"]?.string?.hasPrefix("rb1|go|") == true)
            }
            fields["biz_opaque_callback_data"] = nil
            return .object(fields)
        }
    }

    func fixture(_ name: String) throws -> Value {
        try JSONDecoder().decode(Value.self, from: Data(try ServerHarness.fixture("outbound/requests/\(name)")))
    }

    func json(_ text: String) throws -> Value {
        try JSONDecoder().decode(Value.self, from: Data(text.utf8))
    }

    static let to = #""messaging_product": "whatsapp", "recipient_type": "individual", "to": "+14155550123""#

    @Test func mediaByLinkAndByID() throws {
        #expect(
            try bodies(
                """
                      - reply: { image: "https://cdn.example.org/img/kettle-blue.jpg", text: Blue kettle }
                      - reply: { image: { id: "810000000000001" }, text: "Your kettle, packed" }
                """) == [try fixture("image_by_link.json"), try fixture("image_by_id.json")].map(withoutContext))
        #expect(
            try bodies(
                """
                      - reply: { video: "https://cdn.example.org/v.mp4", text: How to descale }
                      - reply: { audio: "810000000000003" }
                      - reply: { document: { link: "https://cdn.example.org/m.pdf", filename: manual.pdf }, text: The manual }
                      - reply: { sticker: "{{ '810000000000004' }}" }
                """)
                == [
                    try json(
                        #"{\#(Self.to), "type": "video", "video": {"link": "https://cdn.example.org/v.mp4", "caption": "How to descale"}}"#
                    ),
                    try json(#"{\#(Self.to), "type": "audio", "audio": {"id": "810000000000003"}}"#),
                    try json(
                        #"{\#(Self.to), "type": "document", "document": {"link": "https://cdn.example.org/m.pdf", "filename": "manual.pdf", "caption": "The manual"}}"#
                    ),
                    try json(#"{\#(Self.to), "type": "sticker", "sticker": {"id": "810000000000004"}}"#),
                ])
    }

    @Test func templatesNamedPositionalAndWithout() throws {
        let header = """
            whatsapp_templates:
              order_ready: { language: en_US, body: [first_name, order_number] }
              delivery_update: { language: de, header: image, body: 2 }
              hello_world: { language: en_US }

            """
        let sent = try bodies(
            """
                  - send_template: { name: order_ready, body: { order_number: "8812", first_name: "{{ contact.name }}" } }
                  - send_template:
                      name: delivery_update
                      header: { image: "810000000000002" }
                      body: [Jonas, Donnerstag]
                  - send_template: hello_world
            """, header: header)
        #expect(
            sent == [
                try fixture("template_named_params.json"), try fixture("template_positional_params.json"),
                try fixture("template_no_params.json"),
            ])
    }

    @Test func templateButtonsCarryPayloadsAndURLSuffixes() throws {
        let header = """
            whatsapp_templates:
              reminder: { language: en_US, body: 1, buttons: [quick_reply, url] }

            """
        let sent = try bodies(
            """
                  - send_template: { name: reminder, body: [Mira], buttons: [{ payload: cancel-42 }, { url_suffix: "42" }] }
            """, header: header)
        #expect(
            sent == [
                try json(
                    #"""
                    {\#(Self.to), "type": "template", "template": {"name": "reminder", "language": {"code": "en_US"}, "components": [
                      {"type": "body", "parameters": [{"type": "text", "text": "Mira"}]},
                      {"type": "button", "sub_type": "quick_reply", "index": "0", "parameters": [{"type": "payload", "payload": "cancel-42"}]},
                      {"type": "button", "sub_type": "url", "index": "1", "parameters": [{"type": "text", "text": "42"}]}]}}
                    """#)
            ])
    }

    @Test func reactionPreviewAndTyping() throws {
        #expect(try bodies("      - react: 👍\n") == [try fixture("reaction.json")])
        #expect(
            try bodies(
                "      - reply: { text: \"Here it is: https://shop.example.org/kettle-blue\", preview_url: true }\n")
                == [try fixture("text_preview_url.json")])
        #expect(try bodies("      - typing\n") == [try fixture("typing_indicator.json")])
        let plain = try bodies("      - reply: { text: \"See https://shop.example.org\", preview_url: false }\n")
        #expect(plain.first?["text"]["preview_url"] == .bool(false))
    }

    @Test func locationContactsAndInteractiveKinds() throws {
        let sent = try bodies(
            """
                  - send_location: { latitude: 40.4168, longitude: -3.7038, name: Pizzeria Sol, address: Puerta del Sol 1 }
                  - send_contacts: [{ name: Mira Okafor, phone: "+14155550123", email: mira@example.org }]
                  - reply:
                      image: https://cdn.example.org/pizza.jpg
                      text: Margherita?
                      footer: 9 €
                      buttons: [{ id: yes, title: Yes please }]
                  - reply: { text: Track your order, cta_url: { button: Track, url: "https://shop.example.org/t/42" } }
                  - request_location: Where should we deliver?
            """)
        let expected = try [
            #"{\#(Self.to), "type": "location", "location": {"latitude": 40.4168, "longitude": -3.7038, "name": "Pizzeria Sol", "address": "Puerta del Sol 1"}}"#,
            #"{\#(Self.to), "type": "contacts", "contacts": [{"name": {"formatted_name": "Mira Okafor", "first_name": "Mira"}, "phones": [{"phone": "+14155550123", "type": "CELL"}], "emails": [{"email": "mira@example.org", "type": "WORK"}]}]}"#,
            #"{\#(Self.to), "type": "interactive", "interactive": {"type": "button", "header": {"type": "image", "image": {"link": "https://cdn.example.org/pizza.jpg"}}, "body": {"text": "Margherita?"}, "footer": {"text": "9 €"}, "action": {"buttons": [{"type": "reply", "reply": {"id": "yes", "title": "Yes please"}}]}}}"#,
            #"{\#(Self.to), "type": "interactive", "interactive": {"type": "cta_url", "body": {"text": "Track your order"}, "action": {"name": "cta_url", "parameters": {"display_text": "Track", "url": "https://shop.example.org/t/42"}}}}"#,
            #"{\#(Self.to), "type": "interactive", "interactive": {"type": "location_request_message", "body": {"text": "Where should we deliver?"}, "action": {"name": "send_location"}}}"#,
        ].map(json)
        #expect(sent.count == expected.count)
        for (body, want) in zip(sent, expected) { #expect(body == want) }
    }

    @Test func storedOutboxRowsReadBackEveryKind() throws {
        let media = Media(.document, source: "https://cdn.example.org/m.pdf", filename: "m.pdf")
        let kinds: [OutboundMessage.Body] = [
            .media(media, caption: "c"),
            .mediaButtons(text: "t", buttons: [.init(id: "a", title: "A")], media: media, footer: nil),
            .location(Location(latitude: 1, longitude: 2, name: "n")), .contacts([Contact(name: "M", phones: ["1"])]),
            .reaction(messageID: "w", emoji: "👍"),
            .ctaURL(text: "t", button: "b", url: "https://x", header: nil, footer: "f"),
            .locationRequest(text: "where?"),
            .template(
                TemplateMessage(name: "t", language: "es", headerMedia: media, body: [.init(name: "a", text: "1")])),
        ]
        for body in kinds {
            let message = OutboundMessage(
                id: "m", bot: "b", to: "1", body: body, createdAt: 5, rule: "go", previewURL: true)
            #expect(try OutboundMessage(recordJSON: message.recordJSON) == message)
        }
    }

    /// The image fixtures are stand-alone messages: no quoted context.
    private func withoutContext(_ value: Value) -> Value {
        guard case .object(var fields) = value else { return value }
        fields["context"] = nil
        return .object(fields)
    }
}
