import Foundation
import RuleEngine
import Runtime
import Testing

@testable import Server

/// Inbox and outbox rows are written by hand for speed; they must read back exactly and keep
/// the layout `JSONEncoder` gives, so rows written by either can be read by the other.
struct StoredRecordTests {
    @Test(arguments: try WebhookTests.fixtureFiles())
    func everyFixtureEventSurvivesTheInbox(_ path: String) throws {
        // Malformed fixtures have no events to store.
        guard let json = try? JSONParser.parse(try ServerHarness.fixture(path)) else { return }
        for item in WebhookPayload.parse(json).items {
            try expectRoundTrip(InboxEntry(bot: "echo", event: item.event))
        }
    }

    @Test func eventsWithEveryOptionalFieldSurviveTheInbox() throws {
        let message = InboundMessage(
            id: "wamid.1", type: "location", timestamp: 1_767_261_600.25, text: "t \"quoted\"\n", caption: "c",
            filename: "f.pdf", mimeType: "application/pdf", mediaID: "m", buttonID: "b", buttonTitle: "B",
            latitude: -33.5, longitude: 151, emoji: "👍", reactedTo: "wamid.0", replyTo: "wamid.r", forwarded: true,
            raw: .object(["type": "location", "nested": .array([.int(1), .null, .bool(false)])]))
        let events = [
            InboundEvent(id: "e1", userID: "346", contactName: "Ana", phoneNumberID: "111", kind: .message(message)),
            InboundEvent(
                id: "e2", userID: "346",
                kind: .timer(TimerFiring(name: "t", startedAt: 1, dueAt: 16.5, generation: "g"))),
            InboundEvent(
                id: "e3", userID: "346",
                kind: .status(
                    DeliveryStatus(messageID: "wamid.s", status: "failed", timestamp: 9, errorCodes: [131047]))),
        ]
        for event in events { try expectRoundTrip(InboxEntry(bot: "echo", event: event)) }
    }

    @Test func everyOutboundBodySurvivesTheOutbox() throws {
        let bodies: [OutboundMessage.Body] = [
            .text("hello\nworld ✓"),
            .buttons(text: "pick", buttons: [.init(id: "a", title: "A")], header: "h", footer: nil),
            .list(
                text: "menu", button: "Open",
                sections: [
                    .init(title: "S", rows: [.init(id: "r1", title: "R1", description: "d")]),
                    .init(title: nil, rows: [.init(id: "r2", title: "R2", description: nil)]),
                ], header: nil, footer: "f"),
            .markRead(messageID: "wamid.m", typing: true),
        ]
        for (index, body) in bodies.enumerated() {
            let message = OutboundMessage(
                id: "o\(index)", bot: "b", to: "346", phoneNumberID: index == 0 ? nil : "111",
                replyTo: index == 1 ? "wamid.q" : nil, body: body, createdAt: 1_767_261_600.5)
            let decoded = try OutboundMessage(recordJSON: message.recordJSON)
            #expect(decoded == message)
            let viaFoundation = try JSONDecoder().decode(OutboundMessage.self, from: Data(message.recordJSON.utf8))
            #expect(viaFoundation == message)
            let fromFoundation = String(decoding: try JSONEncoder().encode(message), as: UTF8.self)
            #expect(try OutboundMessage(recordJSON: fromFoundation) == message)
        }
    }

    @Test func aDamagedRowIsAClearError() {
        #expect(throws: RuntimeError.self) { try InboxEntry(recordJSON: #"{"bot":"b"}"#) }
        #expect(throws: RuntimeError.self) {
            try OutboundMessage(recordJSON: #"{"id":"o","bot":"b","to":"1","createdAt":1,"body":{"fax":{}}}"#)
        }
        #expect(throws: (any Error).self) { try InboxEntry(recordJSON: "not json") }
    }

    private func expectRoundTrip(_ entry: InboxEntry) throws {
        #expect(try InboxEntry(recordJSON: entry.recordJSON) == entry)
        #expect(try JSONDecoder().decode(InboxEntry.self, from: Data(entry.recordJSON.utf8)) == entry)
        let fromFoundation = String(decoding: try JSONEncoder().encode(entry), as: UTF8.self)
        #expect(try InboxEntry(recordJSON: fromFoundation) == entry)
    }
}
