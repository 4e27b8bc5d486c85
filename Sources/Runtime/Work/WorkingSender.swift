import Synchronization

/// A sender that carries out handed-off work itself and passes messages on: the outbox keeps
/// both in each user's line. A work's result is kept in the inbox (through the host's route)
/// before its outbox row goes, so a crash in between repeats the call with the same
/// `Idempotency-Key`, and the repeated result is recognised by its id and handled once.
public final class WorkingSender: MessageSender, EventProducing {
    let messages: any MessageSender
    let runner: WorkRunner
    private let route = Mutex<(@Sendable (InboxEntry) async -> Bool)?>(nil)

    /// Sends messages with `messages` and carries out work with `runner`.
    public init(messages: any MessageSender, runner: WorkRunner) {
        self.messages = messages
        self.runner = runner
    }

    /// Where result events go.
    public func routeEvents(to route: @escaping @Sendable (InboxEntry) async -> Bool) {
        self.route.withLock { $0 = route }
    }

    /// Carries out work, or sends the message.
    public func send(_ message: OutboundMessage) async -> SendOutcome {
        guard case .work(let work) = message.body else { return await messages.send(message) }
        let step = await runner.perform(work, of: message)
        guard let result = step.result else { return step.outcome }
        let event = InboundEvent(
            id: "result:" + message.id, userID: message.to, phoneNumberID: message.phoneNumberID,
            kind: .workResult(result))
        guard let route = route.withLock({ $0 }), await route(InboxEntry(bot: message.bot, event: event)) else {
            return .retry(after: 1, reason: "the result of '\(work.name)' could not be kept")
        }
        return .sent
    }

    /// Work goes out from no business number: it has its own line of the send rate.
    public func sendingNumber(for message: OutboundMessage) -> String {
        if case .work = message.body { return "work" }
        return messages.sendingNumber(for: message)
    }

    /// Work uses none of Meta's throughput.
    public func requestCount(for message: OutboundMessage) -> Int {
        if case .work = message.body { return 0 }
        return messages.requestCount(for: message)
    }
}

/// A sender whose work produces events for the users' rules.
public protocol EventProducing: Sendable {
    /// Where the events go; `route` returns whether the event was kept.
    func routeEvents(to route: @escaping @Sendable (InboxEntry) async -> Bool)
}
