import Testing

@testable import Runtime

/// The per-message state machine and the per-recipient queues, without I/O.
struct MessageDeliveryTests {
    static func message(_ id: String, to: String = "u", at createdAt: Double = 0) -> OutboundMessage {
        OutboundMessage(id: id, bot: "b", to: to, body: .text(id), createdAt: createdAt)
    }

    static func delivery(_ id: String, to: String = "u", number: String = "n") -> MessageDelivery {
        MessageDelivery(message: message(id, to: to), number: number, requests: 1)
    }

    let noJitter = RetryPolicy(jitter: 0)

    @Test func aSentMessageIsRemoved() {
        var delivery = Self.delivery("a")
        let started1 = delivery.start(at: 0)
        #expect(started1)
        #expect(delivery.state == .sending)
        let action2 = delivery.finish(.sent, at: 1, policy: noJitter)
        #expect(action2 == .remove)
        #expect(delivery.state == .sent)
        let started3 = delivery.start(at: 2)
        #expect(!started3, "a sent message is never sent again")
    }

    @Test func aPermanentFailureBecomesADeadLetter() {
        var delivery = Self.delivery("a")
        _ = delivery.start(at: 0)
        let action4 = delivery.finish(.failed(reason: "131047"), at: 0, policy: noJitter)
        #expect(action4 == .deadLetter(reason: "131047"))
        #expect(delivery.state == .failed(reason: "131047"))
    }

    @Test func retriesBackOffExponentiallyUpToTheCapAndHonourRetryAfter() {
        var delivery = Self.delivery("a")
        var waits: [Double] = []
        var now = 0.0
        for _ in 0..<10 {
            let started5 = delivery.start(at: now)
            #expect(started5)
            guard case .retry(let at, _) = delivery.finish(.retry(after: 0, reason: "500"), at: now, policy: noJitter)
            else {
                Issue.record("expected a retry")
                return
            }
            let started6 = delivery.start(at: at - 0.001)
            #expect(!started6, "not before its time")
            waits.append(at - now)
            now = at
        }
        #expect(waits == [0.5, 1, 2, 4, 8, 16, 32, 60, 60, 60])
        _ = delivery.start(at: now)
        let honoured = delivery.finish(.retry(after: 120, reason: "429"), at: now, policy: noJitter)
        #expect(honoured == .retry(at: now + 120, reason: "429"), "Retry-After wins over a shorter backoff")
    }

    @Test func jitterSpreadsABackoffByAFifthEitherWay() {
        let policy = RetryPolicy()
        #expect(abs(policy.backoff(attempt: 3, requested: 0, unit: 0) - 1.6) < 1e-9)
        #expect(abs(policy.backoff(attempt: 3, requested: 0, unit: 1) - 2.4) < 1e-9)
    }

    @Test func error131056WaitsFourToThePowerOfTheRefusals() {
        var delivery = Self.delivery("a")
        var waits: [Double] = []
        var now = 0.0
        for _ in 0..<4 {
            _ = delivery.start(at: now)
            guard
                case .retry(let at, _) = delivery.finish(.pairRateLimited(reason: "131056"), at: now, policy: noJitter)
            else { return }
            waits.append(at - now)
            now = at
        }
        #expect(waits == [1, 4, 16, 64])
        _ = delivery.start(at: now)
        _ = delivery.finish(.retry(after: 0, reason: "500"), at: now, policy: noJitter)
        #expect(delivery.pairStrikes == 0, "another error ends the run of 131056 refusals")
    }

    @Test func aRetryPastADayFailsForGood() {
        var delivery = Self.delivery("a")
        _ = delivery.start(at: 86_000)
        guard
            case .deadLetter(let reason) = delivery.finish(
                .retry(after: 600, reason: "503"), at: 86_000, policy: noJitter)
        else {
            Issue.record("expected a dead letter")
            return
        }
        #expect(reason.hasSuffix("the last error: 503"))
    }

    @Test func aRecipientsMessagesGoOneAtATimeInOrder() {
        var queues = DeliveryQueues()
        for id in ["a1", "a2"] {
            let added = queues.add(Self.delivery(id, to: "A"))
            #expect(added)
        }
        let added8 = queues.add(Self.delivery("b1", to: "B"))
        #expect(added8)
        let added9 = queues.add(Self.delivery("a1", to: "A"))
        #expect(!added9, "a message already queued is not queued twice")

        var started: [String] = []
        while let next = queues.nextReady() {
            queues.begin(next, at: 0)
            started.append(next.message.id)
        }
        #expect(started.sorted() == ["a1", "b1"], "only each recipient's first message")
        #expect(queues.sending == 2)

        let action = queues.finish(Self.message("a1", to: "A"), outcome: .sent, at: 0, policy: noJitter, unit: 0.5)
        #expect(action == .remove)
        let popped1 = queues.nextReady()
        #expect(popped1?.message.id == "a2")
    }

    @Test func aRetryHoldsBackTheRecipientUntilItIsDue() throws {
        var queues = DeliveryQueues()
        for id in ["a1", "a2"] { _ = queues.add(Self.delivery(id, to: "A")) }
        let popped2 = queues.nextReady()
        queues.begin(try #require(popped2), at: 0)
        _ = queues.finish(
            Self.message("a1", to: "A"), outcome: .retry(after: 5, reason: "500"), at: 0, policy: noJitter, unit: 0.5)
        let popped3 = queues.nextReady()
        #expect(popped3 == nil, "a2 waits behind a1")
        #expect(queues.nextWake == 5)
        queues.wake(at: 4.9)
        let popped4 = queues.nextReady()
        #expect(popped4 == nil)
        queues.wake(at: 5)
        let popped5 = queues.nextReady()
        #expect(popped5?.message.id == "a1")
    }

    @Test func aNumberWithoutRoomIsSkippedUntilItsWaitEnds() throws {
        var queues = DeliveryQueues()
        _ = queues.add(Self.delivery("a1", to: "A", number: "slow"))
        _ = queues.add(Self.delivery("b1", to: "B", number: "slow"))
        let popped = queues.nextReady()
        let first = try #require(popped)
        #expect(first.message.id == "a1")
        queues.postpone(first, until: 1)
        _ = queues.add(Self.delivery("c1", to: "C", number: "fast"))
        let other = queues.nextReady()
        #expect(other?.message.id == "c1", "another number goes on")
        let none = queues.nextReady()
        #expect(none == nil, "nothing more from the slow number before 1")
        #expect(queues.nextWake == 1)
        queues.wake(at: 1)
        let again = queues.nextReady()
        #expect(again?.message.id == "a1", "the postponed one keeps its place")
    }

    @Test func aMessageStaysKnownUntilItLeftTheOutbox() throws {
        var queues = DeliveryQueues()
        _ = queues.add(Self.delivery("a1"))
        let popped11 = queues.nextReady()
        queues.begin(try #require(popped11), at: 0)
        _ = queues.finish(Self.message("a1"), outcome: .sent, at: 0, policy: noJitter, unit: 0.5)
        #expect(queues.isEmpty)
        let added10 = queues.add(Self.delivery("a1"))
        #expect(!added10, "a sweep before its removal must not send it again")
        queues.forget("a1")
        let added11 = queues.add(Self.delivery("a1"))
        #expect(added11)
    }

    @Test func aBucketLetsAtMostItsRatePlusASmallBurstThroughAnySecond() {
        var bucket = TokenBucket(rate: 100, now: 0)
        var granted: [Double] = []
        var now = 0.0
        while now < 10 {
            let wait = bucket.take(1, rate: 100, now: now)
            if wait == 0 { granted.append(now) } else { now += wait }
        }
        for start in granted {
            let inWindow = granted.filter { $0 >= start && $0 < start + 1 }.count
            #expect(inWindow <= 102, "\(inWindow) in the second from \(start)")
        }
        #expect(granted.count >= 995, "and keeps up the rate: \(granted.count) in 10 s")
    }

    @Test func aLongTextTakesOneTokenPerRequestAndMayGoIntoDebt() {
        var bucket = TokenBucket(rate: 10, now: 0)
        let wait12 = bucket.take(3, rate: 10, now: 0)
        #expect(wait12 == 0, "the full bucket lets a three-part text go")
        let wait13 = bucket.take(1, rate: 10, now: 0)
        #expect(wait13 > 0.29, "the debt is paid before the next")
    }
}
