import Logging
import Synchronization

/// Delivers committed outbox messages, apart from processing: a commit hands its messages over
/// with `enqueue`, which never waits, and the dispatcher sends them.
///
/// - Each recipient's messages go in commit order: only a recipient's first message is sent, and
///   the next waits until it was accepted or failed for good.
/// - At most `concurrency` sends run at once, and each business number stays within its send rate.
/// - A temporary failure waits (exponential backoff with jitter; 4^X s for error 131056) and is
///   tried again, a permanent one becomes a dead letter; each message's life is a
///   `MessageDelivery` state machine.
/// - A message leaves the outbox in storage only once accepted or failed for good, so whatever a
///   shutdown or crash interrupts is sent after the next start.
///
/// In a server `run()` is the loop; `deliverDue()` does one round and waits for it, for tests,
/// the simulator and conversation tests. Use one or the other.
public final class OutboxDispatcher: Sendable {
    let storage: any BotStorage
    let sender: any MessageSender
    let time: any TimeSource
    let limiter: any SendRateLimiter
    let observer: any HostObserver
    let logger: Logger
    let policy: RetryPolicy
    let concurrency: Int
    private let queues = Mutex(DeliveryQueues())
    private let wakeup = Wakeup()
    private let rounds = KeyedSerialQueue<Int>()
    private let drainDeadline = Mutex<Double?>(nil)
    private let idleWaiters = Mutex<[CheckedContinuation<Void, Never>]>([])
    /// On shared storage: messages queued but not yet held, and when the holds were last renewed.
    private let holds = Mutex<(new: [String], renewed: Double)>(([], 0))
    /// Seconds a hold on a queued message lasts; renewed every third of it while it is queued.
    static let holdLease = 30.0

    /// Creates a dispatcher; `concurrency` bounds the sends in progress.
    public init(
        storage: any BotStorage, sender: any MessageSender, time: any TimeSource,
        limiter: any SendRateLimiter = UnlimitedRate(), observer: any HostObserver = NoObserver(), logger: Logger,
        policy: RetryPolicy = .standard, concurrency: Int = 64
    ) {
        self.storage = storage
        self.sender = sender
        self.time = time
        self.limiter = limiter
        self.observer = observer
        self.logger = logger
        self.policy = policy
        self.concurrency = max(1, concurrency)
    }

    /// Queues committed messages behind their recipients' earlier ones; never waits. Messages
    /// already queued or being sent are ignored.
    public func enqueue(_ messages: [OutboundMessage]) {
        guard !messages.isEmpty else { return }
        let deliveries = messages.map {
            MessageDelivery(message: $0, number: sender.sendingNumber(for: $0), requests: sender.requestCount(for: $0))
        }
        let added = queues.withLock { queues in deliveries.filter { queues.add($0) } }
        guard !added.isEmpty else { return }
        if storage.isShared { holds.withLock { $0.new += added.map(\.message.id) } }
        wakeup.signal()
    }

    /// Messages queued or being sent.
    public var pendingCount: Int { queues.withLock { $0.count } }

    /// Returns once nothing is queued or being sent (the loop keeps running).
    public func idle() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = idleWaiters.withLock { waiters -> Bool in
                if queues.withLock({ $0.isEmpty }) { return true }
                waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    private func resumeIdleWaiters() {
        let waiters = idleWaiters.withLock { waiters -> [CheckedContinuation<Void, Never>] in
            guard queues.withLock({ $0.isEmpty }) else { return [] }
            defer { waiters = [] }
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Queues up to `page` of the oldest messages the outbox holds (left by a crash, a shutdown,
    /// or a dead instance); returns whether the page was full, so there may be more.
    @discardableResult
    public func loadPending(page: Int = 1000) async -> Bool {
        do {
            let messages = try await storage.pendingOutbox(limit: page)
            enqueue(messages)
            return messages.count >= page
        } catch {
            logger.error("could not read the outbox", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Sends what the outbox holds, a page at a time, each page as far as it can go now.
    public func flushPending(page: Int = 1000) async {
        do {
            try await drainInPages(page: page, id: \.id, read: storage.pendingOutbox(limit:)) { messages in
                enqueue(messages)
                await deliverDue()
            }
        } catch {
            logger.error("could not read the outbox", metadata: ["error": "\(error)"])
        }
    }

    /// Sends every message that may go now, and the ones behind them, until nothing more may go
    /// at this time; returns when the earliest waiting one may go, or nil when nothing is queued.
    @discardableResult
    public func deliverDue() async -> Double? {
        await rounds.run(0) {
            while true {
                let started = await startDue()
                if started.isEmpty { break }
                let now = time.now()
                await withDiscardingTaskGroup { group in
                    for delivery in started { group.addTask { await self.send(delivery, grantedAt: now) } }
                }
            }
            return queues.withLock { $0.isEmpty ? nil : $0.nextWake }
        }
    }

    /// The loop: sends as messages are queued, their retries come due, and the rate allows,
    /// reading more from the outbox when its queue runs low. Returns when cancelled (sends in
    /// progress are abandoned and stay in the outbox), or after `drain(within:)` once the queue
    /// is empty or the drain time is over.
    public func run(page: Int = 1000) async {
        var more = await loadPending(page: page)
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let now = time.now()
                let deadline = drainDeadline.withLock { $0 }
                if let deadline, now >= deadline || queues.withLock({ $0.isEmpty }) { break }
                if more, pendingCount < page / 2 { more = await loadPending(page: page) }
                let started = await startDue()
                let grantedAt = time.now()
                for delivery in started {
                    group.addTask { await self.send(delivery, grantedAt: grantedAt) }
                }
                let next = queues.withLock { $0.sending >= concurrency ? nil : $0.nextWake }
                await wakeup.wait(until: min(next ?? now + 60, deadline ?? .infinity), time: time)
            }
            group.cancelAll()
        }
        let left = pendingCount
        if left > 0, drainDeadline.withLock({ $0 }) != nil {
            logger.warning("drain time over; unsent messages stay in the outbox", metadata: ["count": "\(left)"])
        }
    }

    /// Lets `run()` finish: it keeps sending for at most `seconds`, then returns.
    public func drain(within seconds: Double) {
        drainDeadline.withLock { $0 = time.now() + seconds }
        wakeup.signal()
    }

    /// On shared storage, marks the queued messages as this instance's, so no other instance
    /// takes one that waits here (behind its recipient's earlier ones, for a retry or for the
    /// rate) for abandoned: new ones at once, all of them every third of the lease.
    private func holdQueued(now: Double) async {
        guard storage.isShared else { return }
        let ids = holds.withLock { holds -> [String] in
            defer { holds.new = [] }
            guard now - holds.renewed >= Self.holdLease / 3 else { return holds.new }
            holds.renewed = now
            return queues.withLock { $0.ids }
        }
        guard !ids.isEmpty else { return }
        do {
            try await storage.holdOutbox(ids: ids, lease: Self.holdLease)
        } catch {
            logger.error("could not hold queued messages", metadata: ["error": "\(error)"])
        }
    }

    /// Takes every message that may go now off the queues, within the concurrency and the send rate.
    private func startDue() async -> [MessageDelivery] {
        let now = time.now()
        await holdQueued(now: now)
        queues.withLock { $0.wake(at: now) }
        var started: [MessageDelivery] = []
        while let delivery = queues.withLock({ $0.sending < concurrency ? $0.nextReady() : nil }) {
            let wait: Double
            do {
                // Handed-off work uses none of Meta's throughput: no trip to the (maybe shared) bucket.
                wait =
                    delivery.requests == 0
                    ? 0 : try await limiter.take(delivery.requests, for: delivery.number, now: now)
            } catch {
                logger.error("the send rate could not be checked; waiting a second", metadata: ["error": "\(error)"])
                wait = 1
            }
            if wait > 0 {
                queues.withLock { $0.postpone(delivery, until: now + wait) }
                continue
            }
            queues.withLock { $0.begin(delivery, at: now) }
            started.append(delivery)
        }
        return started
    }

    /// Seconds after which a send that has not begun yet (a busy process starts tasks late) asks
    /// the rate again, so sends held up together never go out together.
    static let staleGrant = 0.05

    private func send(_ delivery: MessageDelivery, grantedAt: Double) async {
        let message = delivery.message
        let started = time.now()
        if started - grantedAt > Self.staleGrant, delivery.requests > 0 {
            let wait: Double
            do { wait = try await limiter.take(delivery.requests, for: delivery.number, now: started) } catch {
                wait = 1
            }
            if wait > 0 {
                queues.withLock { $0.requeue(delivery, until: started + wait) }
                wakeup.signal()
                return
            }
        }
        let outcome = await sender.send(message)
        observer.sent(message, outcome: outcome)
        let now = time.now()
        let action = queues.withLock {
            $0.finish(message, outcome: outcome, at: now, policy: policy, unit: Double.random(in: 0...1))
        }
        wakeup.signal()
        resumeIdleWaiters()
        switch action {
        case .remove:
            observer.delivered(message, after: now - message.createdAt)
            await remove(message)
        case .deadLetter(let reason):
            logger.error(
                "message failed for good; moved to the dead letters",
                metadata: ["user.id": "\(PhoneMask.mask(message.to))", "reason": "\(reason)"])
            await remove(message)
            do {
                try await storage.keep(DeadLetter(message: message, reason: reason, at: now), observer: observer)
            } catch {
                logger.error("could not keep a dead letter", metadata: ["error": "\(error)"])
            }
            await reportFailure(of: message, reason: reason, at: now)
        case .retry(let at, let reason):
            logger.warning(
                "send failed; it will be tried again",
                metadata: ["reason": "\(reason)", "in": "\(at - now)", "user.id": "\(PhoneMask.mask(message.to))"])
        }
    }

    /// Where failed sends go as `send_failed` events: set by the host that owns this dispatcher.
    private let failureRoute = Mutex<(@Sendable (InboxEntry) async -> Bool)?>(nil)

    /// Sends every message that fails for good to `route` as a `send_failed` event of its user,
    /// and the results of handed-off work too (when the sender carries out work). `route`
    /// returns whether it kept the event.
    public func routeEvents(to route: @escaping @Sendable (InboxEntry) async -> Bool) {
        failureRoute.withLock { $0 = route }
        (sender as? any EventProducing)?.routeEvents(to: route)
    }

    private func reportFailure(of message: OutboundMessage, reason: String, at now: Double) async {
        switch message.body {
        case .markRead: return
        case .work(let work):
            // Work that never got its result kept (storage down for a day): say so in the log.
            logger.error("handed-off work given up", metadata: ["work": "\(work.name)", "outbox.id": "\(message.id)"])
            return
        default: break
        }
        guard let route = failureRoute.withLock({ $0 }) else { return }
        let failure = SendFailure(
            outboxID: message.id, rule: message.rule, code: SendFailure.code(in: reason), reason: reason, timestamp: now
        )
        let event = InboundEvent(
            id: "failed:" + message.id, userID: message.to, phoneNumberID: message.phoneNumberID,
            kind: .sendFailed(failure))
        _ = await route(InboxEntry(bot: message.bot, event: event))
    }

    /// Takes a settled message out of the outbox. If that fails it stays known here, so this
    /// process never sends it again (a restart may).
    private func remove(_ message: OutboundMessage) async {
        do {
            try await storage.removeOutbox(ids: [message.id])
            queues.withLock { $0.forget(message.id) }
        } catch {
            logger.error("could not remove a sent message from the outbox", metadata: ["error": "\(error)"])
        }
    }
}
