public import RuleEngine

/// A failure while loading or running a bot, with the rule's source location when there is one.
public struct RuntimeError: Error, Sendable, CustomStringConvertible {
    private enum Kind: Sendable {
        case unknownAction(String)
        case badArguments(String, String)
        case storage(String)
        case action(String)
        case budget(String)
        case alreadyHandled
    }

    private let kind: Kind
    /// Where in the bot file the failing rule or action is, if known.
    public let location: SourceLocation?

    static func unknownAction(_ name: String, _ location: SourceLocation) -> RuntimeError {
        RuntimeError(kind: .unknownAction(name), location: location)
    }

    static func badArguments(_ name: String, _ location: SourceLocation, _ reason: String) -> RuntimeError {
        RuntimeError(kind: .badArguments(name, reason), location: location)
    }

    /// A storage backend failed; nothing of the event was committed.
    public static func storage(_ message: String) -> RuntimeError {
        RuntimeError(kind: .storage(message), location: nil)
    }

    /// The event was already committed (by another instance, or by an earlier attempt); nothing was written.
    public static let alreadyHandled = RuntimeError(kind: .alreadyHandled, location: nil)

    /// Whether this is `alreadyHandled`.
    public var isAlreadyHandled: Bool {
        if case .alreadyHandled = kind { return true }
        return false
    }

    /// A custom action reported a failure.
    public static func action(_ message: String, at location: SourceLocation? = nil) -> RuntimeError {
        RuntimeError(kind: .action(message), location: location)
    }

    /// The event's evaluation passed a `RuntimeLimits` bound; it is dropped, never retried.
    static func budget(_ reason: String) -> RuntimeError {
        RuntimeError(kind: .budget(reason), location: nil)
    }

    /// Whether evaluation stopped at a `RuntimeLimits` bound.
    public var isBudgetExceeded: Bool {
        if case .budget = kind { return true }
        return false
    }

    /// This error located at `location` unless it already has a location.
    func located(at location: SourceLocation, context: String) -> RuntimeError {
        switch kind {
        case .action(let message) where self.location == nil:
            return RuntimeError(kind: .action("\(context): \(message)"), location: location)
        case .budget(let reason) where self.location == nil:
            return RuntimeError(kind: .budget("\(context): \(reason)"), location: location)
        default:
            return self
        }
    }

    /// A one-line explanation, prefixed with the location when known.
    public var description: String {
        let prefix = location.map { "\($0): " } ?? ""
        switch kind {
        case .unknownAction(let name): return "\(prefix)action '\(name)' is not registered in this runtime"
        case .badArguments(let name, let reason): return "\(prefix)arguments of '\(name)' could not be read: \(reason)"
        case .storage(let message): return "storage error: \(message)"
        case .action(let message): return "\(prefix)\(message)"
        case .budget(let reason): return "\(prefix)evaluation stopped: \(reason)"
        case .alreadyHandled: return "the event was already handled"
        }
    }
}
