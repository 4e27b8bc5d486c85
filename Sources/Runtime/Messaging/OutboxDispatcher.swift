import Logging
import Synchronization

/// Sends committed outbox messages in order per recipient, retrying temporary failures with
/// exponential backoff and jitter, and removes each from the outbox only once it was sent or
/// failed for good, so a restart resends whatever was still pending.
public final class OutboxDispatcher: Sendable {
    let storage: any BotStorage
    let sender: any MessageSender
    let time: any TimeSource
    let observer: any HostObserver
    let logger: Logger
    let maxAttempts: Int
    private let queues = KeyedSerialQueue<String>()
    /// Ids of messages being delivered, so a sweep of the outbox never sends one a second time.
    private let delivering = Mutex<Set<String>>([])

    /// Creates a dispatcher.
    public init(
        storage: any BotStorage, sender: any MessageSender, time: any TimeSource,
        observer: any HostObserver = NoObserver(),
        logger: Logger, maxAttempts: Int = 6
    ) {
        self.storage = storage
        self.sender = sender
        self.time = time
        self.observer = observer
        self.logger = logger
        self.maxAttempts = maxAttempts
    }

    /// Sends `messages` (already committed to the outbox) in order; any already being delivered
    /// are left to that delivery.
    public func deliver(_ messages: [OutboundMessage]) async {
        let messages = claim(messages)
        if messages.isEmpty { return }
        if let first = messages.first, messages.allSatisfy({ $0.to == first.to }) {
            await queues.run(first.to) {
                for message in messages { await self.deliverOne(message) }
            }
            return
        }
        let byRecipient = Dictionary(grouping: messages, by: \.to)
        await withTaskGroup(of: Void.self) { group in
            for (recipient, batch) in byRecipient {
                group.addTask {
                    await self.queues.run(recipient) {
                        for message in batch { await self.deliverOne(message) }
                    }
                }
            }
        }
    }

    /// Sends whatever the outbox holds that is not being delivered already: messages left by a
    /// crash, or kept after their last retry. Reads `page` messages at a time and goes on until
    /// a read finds nothing it has not tried; a message that fails again waits for the next call.
    public func flushPending(page: Int = 1000) async {
        do {
            try await drainInPages(page: page, id: \.id, read: storage.pendingOutbox(limit:)) { messages in
                logger.info("resending pending outbox messages", metadata: ["count": "\(messages.count)"])
                await deliver(messages)
            }
        } catch {
            logger.error("could not read the outbox", metadata: ["error": "\(error)"])
        }
    }

    /// The messages no other delivery has claimed, now claimed by the caller.
    private func claim(_ messages: [OutboundMessage]) -> [OutboundMessage] {
        delivering.withLock { delivering in messages.filter { delivering.insert($0.id).inserted } }
    }

    private func deliverOne(_ message: OutboundMessage) async {
        defer { _ = delivering.withLock { $0.remove(message.id) } }
        for attempt in 0..<maxAttempts {
            if storage.isShared {
                try? await storage.holdOutbox(ids: [message.id], lease: 30)
            }
            let outcome = await sender.send(message)
            observer.sent(message, outcome: outcome)
            switch outcome {
            case .sent:
                await remove(message)
                return
            case .failed(let reason):
                logger.error(
                    "message failed permanently; moved to the dead letters",
                    metadata: ["user.id": "\(PhoneMask.mask(message.to))", "reason": "\(reason)"])
                await remove(message)
                do {
                    try await storage.keep(
                        DeadLetter(message: message, reason: reason, at: time.now()), observer: observer)
                } catch {
                    logger.error("could not keep a dead letter", metadata: ["error": "\(error)"])
                }
                return
            case .retry(let after, let reason):
                let backoff = min(60, 0.5 * Double(1 << attempt))
                let delay = max(after, backoff) * Double.random(in: 0.8...1.2)
                logger.warning(
                    "send failed, retrying",
                    metadata: ["reason": "\(reason)", "attempt": "\(attempt + 1)", "delay": "\(delay)"])
                try? await time.sleep(until: time.now() + delay)
            }
        }
        logger.error("message still not sent; it stays in the outbox", metadata: ["id": "\(message.id)"])
    }

    private func remove(_ message: OutboundMessage) async {
        do {
            try await storage.removeOutbox(ids: [message.id])
        } catch {
            logger.error("could not remove a sent message from the outbox", metadata: ["error": "\(error)"])
        }
    }
}
