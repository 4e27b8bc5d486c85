/// Hooks the server uses for metrics; every method has an empty default.
public protocol HostObserver: Sendable {
    /// An event was evaluated and committed.
    func processed(bot: String, event: InboundEvent, evaluation: Evaluation, seconds: Double)
    /// An event could not be processed.
    func failed(bot: String, event: InboundEvent, error: any Error)
    /// A send attempt finished.
    func sent(_ message: OutboundMessage, outcome: SendOutcome)
    /// An event or message was moved to the dead letters.
    func quarantined(_ letter: DeadLetter)
    /// The Graph API accepted `message`, `seconds` after its commit.
    func delivered(_ message: OutboundMessage, after seconds: Double)
}

extension HostObserver {
    /// Does nothing.
    public func processed(bot: String, event: InboundEvent, evaluation: Evaluation, seconds: Double) {}
    /// Does nothing.
    public func failed(bot: String, event: InboundEvent, error: any Error) {}
    /// Does nothing.
    public func sent(_ message: OutboundMessage, outcome: SendOutcome) {}
    /// Does nothing.
    public func quarantined(_ letter: DeadLetter) {}
    /// Does nothing.
    public func delivered(_ message: OutboundMessage, after seconds: Double) {}
}

/// An observer that observes nothing.
public struct NoObserver: HostObserver {
    /// Creates it.
    public init() {}
}
