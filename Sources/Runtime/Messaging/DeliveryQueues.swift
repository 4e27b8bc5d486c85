/// The dispatcher's bookkeeping, without I/O: each recipient's messages in commit order, which
/// recipients' first messages may go now (per sending number), which wait for a retry, and which
/// numbers wait for their send rate.
///
/// Only a recipient's first message is ever sent, so a recipient sees replies in the order they
/// were committed, whatever happens to each send.
struct DeliveryQueues: Sendable {
    /// Recipient → messages, first to send first.
    private var lines: [String: [MessageDelivery]] = [:]
    /// Sending number → recipients whose first message may go, in the order they became ready.
    private var ready: [String: FIFO] = [:]
    /// Recipient → when its first message may be tried again.
    private var waiting: [String: Double] = [:]
    /// Sending number → until when its rate has no room.
    private var blocked: [String: Double] = [:]
    /// Ids queued, being sent, or sent but not yet removed from storage: a sweep of the outbox
    /// must not queue any of them again.
    private var known: Set<String> = []
    /// Sends in progress.
    private(set) var sending = 0

    /// Messages queued or being sent.
    private(set) var count = 0

    /// The ids of the messages queued or being sent.
    var ids: [String] { lines.values.flatMap { $0.map(\.message.id) } }

    /// Whether nothing is queued or being sent.
    var isEmpty: Bool { lines.isEmpty }

    /// Queues a message behind its recipient's earlier ones; false when it is already known.
    mutating func add(_ delivery: MessageDelivery) -> Bool {
        guard known.insert(delivery.message.id).inserted else { return false }
        let recipient = delivery.message.line
        count += 1
        if lines[recipient] == nil {
            lines[recipient] = [delivery]
            ready[delivery.number, default: FIFO()].push(recipient)
        } else {
            lines[recipient]?.append(delivery)
        }
        return true
    }

    /// Moves recipients whose retry time came back to the ready queues, and lifts rate waits that ended.
    mutating func wake(at now: Double) {
        for (recipient, until) in waiting where until <= now {
            waiting[recipient] = nil
            if let first = lines[recipient]?.first { ready[first.number, default: FIFO()].push(recipient) }
        }
        blocked = blocked.filter { $0.value > now }
    }

    /// Takes the next ready recipient's first message off the ready queues, skipping numbers whose
    /// rate is exhausted. The caller either `begin`s it or `postpone`s it.
    mutating func nextReady() -> MessageDelivery? {
        for (number, var queue) in ready where blocked[number] == nil {
            guard let recipient = queue.pop() else { continue }
            ready[number] = queue.isEmpty ? nil : queue
            return lines[recipient]?.first
        }
        return nil
    }

    /// The send of `delivery` (from `nextReady`) begins.
    mutating func begin(_ delivery: MessageDelivery, at now: Double) {
        let recipient = delivery.message.line
        guard var line = lines[recipient], line.first?.message.id == delivery.message.id, line[0].isDue(at: now)
        else {
            preconditionFailure("begin of a message that is not its recipient's first due one")
        }
        _ = line[0].start(at: now)
        lines[recipient] = line
        sending += 1
    }

    /// The rate of `delivery`'s number has no room until `until`: it goes back to the front of
    /// the ready queue and nothing more is taken for that number until then.
    mutating func postpone(_ delivery: MessageDelivery, until: Double) {
        blocked[delivery.number] = until
        ready[delivery.number, default: FIFO()].pushFront(delivery.message.line)
    }

    /// A send that had begun goes back to the front of the ready queue, its number held back
    /// until `until` (the rate had no room when it was about to go).
    mutating func requeue(_ delivery: MessageDelivery, until: Double) {
        let recipient = delivery.message.line
        guard var line = lines[recipient], line.first?.message.id == delivery.message.id else {
            preconditionFailure("requeue of a message that is not being sent")
        }
        line[0].requeue()
        lines[recipient] = line
        sending -= 1
        postpone(line[0], until: until)
    }

    /// The send of the recipient's first message finished: returns what to do, with the delivery.
    mutating func finish(
        _ message: OutboundMessage, outcome: SendOutcome, at now: Double, policy: RetryPolicy, unit: Double
    ) -> MessageDelivery.Action {
        let recipient = message.line
        guard var line = lines[recipient], line.first?.message.id == message.id else {
            preconditionFailure("finish of a message that is not being sent")
        }
        let action = line[0].finish(outcome, at: now, policy: policy, unit: unit)
        sending -= 1
        switch action {
        case .remove, .deadLetter:
            line.removeFirst()
            count -= 1
            if let next = line.first {
                lines[recipient] = line
                ready[next.number, default: FIFO()].push(recipient)
            } else {
                lines[recipient] = nil
            }
        case .retry(let at, _):
            lines[recipient] = line
            waiting[recipient] = at
        }
        return action
    }

    /// The message left the outbox in storage: a later sweep may see it no more.
    mutating func forget(_ id: String) {
        known.remove(id)
    }

    /// The earliest time something waiting may go, if anything waits.
    var nextWake: Double? {
        (Array(waiting.values) + Array(blocked.values)).min()
    }

    /// Whether some message may be sent right now (before any `wake`).
    var hasReady: Bool {
        ready.contains { blocked[$0.key] == nil && !$0.value.isEmpty }
    }
}

/// A first-in first-out queue of strings that pops in O(1).
struct FIFO: Sendable {
    private var items: [String] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }

    mutating func push(_ item: String) { items.append(item) }

    mutating func pushFront(_ item: String) {
        if head > 0 {
            head -= 1
            items[head] = item
        } else {
            items.insert(item, at: 0)
        }
    }

    mutating func pop() -> String? {
        guard head < items.count else { return nil }
        defer {
            head += 1
            if head == items.count {
                items.removeAll(keepingCapacity: true)
                head = 0
            }
        }
        return items[head]
    }
}
