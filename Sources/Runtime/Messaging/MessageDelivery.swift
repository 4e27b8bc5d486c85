/// One outbox message on its way to the Graph API. Its life is an explicit state machine:
///
/// ```
/// pending ──start──▶ sending ──sent──▶ sent
///    ▲   ◀──requeue───┤ └───failed───▶ failed (for good)
///    │                └──retry──▶ waiting(until) ──start when due──▶ sending
/// ```
///
/// A retry past `RetryPolicy.giveUpAfter` is a failure for good. Waiting for the send rate is not
/// a state of the message: the dispatcher holds the whole number back (`DeliveryQueues`).
///
/// The dispatcher feeds it events and carries out the `Action` each returns; no I/O happens here,
/// so every path is tested directly.
public struct MessageDelivery: Sendable, Hashable {
    /// Where the message is.
    public enum State: Sendable, Hashable {
        /// Ready to be sent as soon as its turn and the rate allow.
        case pending
        /// Waiting for a retry or for the send rate, until the given time.
        case waiting(until: Double)
        /// A send is in progress.
        case sending
        /// Accepted by the Graph API.
        case sent
        /// Refused for good.
        case failed(reason: String)
    }

    /// What the dispatcher must do after a send finished.
    public enum Action: Sendable, Hashable {
        /// Delete the message from the outbox: it was accepted.
        case remove
        /// Delete it from the outbox and keep it as a dead letter with this reason.
        case deadLetter(reason: String)
        /// Keep it in the outbox and try again at this time.
        case retry(at: Double, reason: String)
    }

    /// The message.
    public let message: OutboundMessage
    /// The business number it is sent from (rate limits count per number).
    public let number: String
    /// How many POSTs it takes (a long text is several).
    public let requests: Int
    /// The current state.
    public private(set) var state: State = .pending
    /// Failed attempts so far.
    public private(set) var failures = 0
    /// Consecutive refusals with error 131056 (too many messages to this user).
    public private(set) var pairStrikes = 0

    /// A pending delivery.
    public init(message: OutboundMessage, number: String, requests: Int) {
        self.message = message
        self.number = number
        self.requests = max(1, requests)
    }

    /// Whether a send may start at `now`.
    public func isDue(at now: Double) -> Bool {
        switch state {
        case .pending: return true
        case .waiting(let until): return until <= now
        case .sending, .sent, .failed: return false
        }
    }

    /// The time it waits for, if it waits.
    public var waitsUntil: Double? {
        if case .waiting(let until) = state { return until }
        return nil
    }

    /// A send begins. Returns false, changing nothing, when the message is not due.
    public mutating func start(at now: Double) -> Bool {
        guard isDue(at: now) else { return false }
        state = .sending
        return true
    }

    /// The send did not begin after all (its turn at the send rate had gone stale): pending again,
    /// no attempt counted.
    public mutating func requeue() {
        guard case .sending = state else { preconditionFailure("requeue in state \(state)") }
        state = .pending
    }

    /// The send finished with `outcome`. `unit` (0...1) places the backoff within its jitter.
    public mutating func finish(
        _ outcome: SendOutcome, at now: Double, policy: RetryPolicy, unit: Double = 0.5
    ) -> Action {
        guard case .sending = state else { preconditionFailure("finish in state \(state)") }
        switch outcome {
        case .sent:
            state = .sent
            return .remove
        case .failed(let reason):
            state = .failed(reason: reason)
            return .deadLetter(reason: reason)
        case .retry(let after, let reason):
            failures += 1
            pairStrikes = 0
            return retry(after: policy.backoff(attempt: failures, requested: after, unit: unit), reason, now, policy)
        case .pairRateLimited(let reason):
            failures += 1
            pairStrikes += 1
            return retry(after: policy.pairBackoff(strikes: pairStrikes), reason, now, policy)
        }
    }

    private mutating func retry(after delay: Double, _ reason: String, _ now: Double, _ policy: RetryPolicy)
        -> Action
    {
        let at = now + delay
        if at - message.createdAt > policy.giveUpAfter {
            let reason = "not accepted within \(Int(policy.giveUpAfter)) s of its commit; the last error: \(reason)"
            state = .failed(reason: reason)
            return .deadLetter(reason: reason)
        }
        state = .waiting(until: at)
        return .retry(at: at, reason: reason)
    }
}
