import Foundation
import Logging
import RuleEngine
import Runtime
import Testing

@testable import Server

/// A message the Graph API would refuse whatever we do fails for good before any request, so
/// it is never retried (a 1 MB number id once failed with "Out of memory" every 60 s, forever).
struct GraphRequestCheckTests {
    func message(to: String = "14155550123", phoneNumberID: String? = nil, body: OutboundMessage.Body = .text("hi"))
        -> OutboundMessage
    {
        OutboundMessage(id: "m1", bot: "b", to: to, phoneNumberID: phoneNumberID, body: body, createdAt: 0)
    }

    @Test func aHugeNumberIDFailsForGoodWithoutARequest() async throws {
        // Port 9 (discard) on loopback: were a request made, it would fail as a retry, not like this.
        let sender = GraphAPISender(
            baseURL: try #require(URL(string: "http://127.0.0.1:9")), token: "secret-token",
            defaultPhoneNumberID: "410000000000001", logger: Logger(label: "test"))
        let outcome = await sender.send(message(phoneNumberID: String(repeating: "4", count: 1_000_000)))
        guard case .failed(let reason) = outcome else {
            Issue.record("expected a permanent failure, got \(outcome)")
            return
        }
        #expect(reason.hasPrefix("invalid request: the business number id"))
        #expect(reason.count < 200, "the id itself is not repeated")
    }

    @Test(arguments: [
        ("", "recipient"), ("+14155550123", "recipient"), (String(repeating: "1", count: 21), "recipient"),
    ])
    func aRecipientThatIsNoWhatsAppIDIsRefused(to: String, part: String) {
        #expect(
            GraphRequestCheck.problem(with: message(to: to), phoneNumberID: "410000000000001")?.contains(part) == true)
    }

    @Test func interactivePartsOverMetasLimitsAreRefused() {
        let buttons = OutboundMessage.Body.buttons(
            text: String(repeating: "x", count: 1_025), buttons: [.init(id: "a", title: "A")], header: nil, footer: nil)
        #expect(
            GraphRequestCheck.problem(with: message(body: buttons), phoneNumberID: "410000000000001")
                == "the body is 1025 characters; WhatsApp allows 1024")
        #expect(GraphRequestCheck.problem(with: message(), phoneNumberID: "410000000000001") == nil)
    }

    @Test func aMessageThatFailsForGoodIsKeptAsADeadLetter() async throws {
        let storage = MemoryStorage()
        let failing = FailingSender()
        let dispatcher = OutboxDispatcher(
            storage: storage, sender: failing, time: VirtualTime(), logger: Logger(label: "test"))
        var commit = UserCommit(bot: "b", userID: "14155550123")
        commit.outbox = [message()]
        try await storage.commit(commit)
        dispatcher.enqueue(commit.outbox)
        await dispatcher.deliverDue()
        #expect(try await storage.pendingOutbox(limit: 10).isEmpty, "not retried")
        let letters = try await storage.deadLetters(limit: 10)
        #expect(letters.map(\.kind) == [.message])
        #expect(letters.first?.reason == "invalid request: refused")
    }
}

private struct FailingSender: MessageSender {
    func send(_ message: OutboundMessage) async -> SendOutcome { .failed(reason: "invalid request: refused") }
}
