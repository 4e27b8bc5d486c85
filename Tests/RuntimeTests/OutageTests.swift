import Foundation
import Logging
import RuleEngine
import Runtime
import Synchronization
import Testing

/// The Graph API fails every send for 30 s while users talk to the expiry bot; a fake sender and a
/// virtual clock stand in for Meta and time.
struct OutageTests {
    static let start = 1_767_261_600.0

    /// Fails every send before `until`, then records each accepted message with the time it was accepted.
    final class OutageSender: MessageSender {
        let time: VirtualTime
        let until: Double
        private let accepted = Mutex<[(message: OutboundMessage, at: Double)]>([])

        init(time: VirtualTime, until: Double) {
            self.time = time
            self.until = until
        }

        func send(_ message: OutboundMessage) async -> SendOutcome {
            guard time.now() >= until else { return .retry(after: 0, reason: "500: Graph API unavailable") }
            accepted.withLock { $0.append((message, time.now())) }
            return .sent
        }

        var sent: [(message: OutboundMessage, at: Double)] { accepted.withLock { $0 } }
    }

    @Test func afterAnOutageEachUserGetsTheirRepliesInOrderAndOneEchoOfAllThreeMessages() async throws {
        let time = VirtualTime(start: Self.start)
        let sender = OutageSender(time: time, until: Self.start + 30)
        let storage = MemoryStorage()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let dispatcher = OutboxDispatcher(
            storage: storage, sender: sender, time: time, limiter: LocalRateLimiter(rates: SendRates()),
            logger: logger)
        let host = BotHost(
            bots: BotSet([try shippedBot("expiry.yaml")]), storage: storage, dispatcher: dispatcher,
            sending: .background, time: time, logger: logger)

        // 20 users each send 3 messages within one second.
        let users = (0..<20).map { "3460000\(1000 + $0)" }
        var arrivals: [(at: Double, entry: InboxEntry)] = []
        for (index, user) in users.enumerated() {
            for number in 0..<3 {
                let at = Self.start + Double(number) * 0.4 + Double(index) * 0.01
                let event = InboundEvent.message("m\(number + 1)", from: user, id: "wamid.\(user).\(number)", at: at)
                arrivals.append((at, InboxEntry(bot: "expiry", event: event)))
            }
        }
        arrivals.sort { $0.at < $1.at }
        var lastMessage: [String: Double] = [:]

        // The server's loops, stepped on the virtual clock: accept and evaluate what arrived, fire
        // due timers, send what may go.
        let step = 0.05
        var next = 0
        while time.now() < Self.start + 120 {
            while next < arrivals.count, arrivals[next].at <= time.now() {
                let entry = arrivals[next].entry
                let accepted = try await storage.accept([entry], rememberUntil: time.now() + 86_400)
                await host.work(for: accepted)()
                lastMessage[entry.event.userID] = time.now()
                next += 1
            }
            await host.fireDueTimers()
            await dispatcher.deliverDue()
            time.advance(by: step)
        }

        #expect(dispatcher.pendingCount == 0)
        #expect(try await storage.pendingOutbox(limit: 10).isEmpty)
        for user in users {
            let replies = sender.sent.filter { $0.message.to == user }.filter {
                if case .markRead = $0.message.body { false } else { true }
            }
            let texts = replies.map(\.message.displayText)
            try #require(texts.count == 4, "\(user) got \(texts.count) replies: \(texts)")
            #expect(texts[0].contains("Message #1 stored"), "the welcome first: \(texts[0])")
            #expect(texts[1].hasPrefix("💾 Message #2 stored"))
            #expect(texts[2].hasPrefix("💾 Message #3 stored"))
            #expect(texts[3].hasPrefix("📬 Message History (3 messages)"))
            #expect(texts[3].contains("1. [") && texts[3].contains("3. ["))
            #expect(replies.allSatisfy { $0.at >= Self.start + 30 }, "nothing got through the outage")
            let echoCommitted = replies[3].message.createdAt
            let quiet = echoCommitted - (lastMessage[user] ?? 0)
            #expect(quiet >= 15 && quiet < 15 + step + 1e-6, "the echo was committed \(quiet) s after the last message")
        }
    }
}
