/// What starts a rule.
public enum Trigger: Sendable, Hashable, Codable {
    /// Any inbound message.
    case anyMessage
    /// A message of one of these types.
    case messageTypes([String])
    /// One of these commands as written (matched in any case unless case-sensitive), or any command when empty.
    case commands([String], caseSensitive: Bool)
    /// A text message equal to this text (trimmed).
    case textEquals(String, caseSensitive: Bool)
    /// A text message containing this text.
    case textContains(String, caseSensitive: Bool)
    /// A text message matching this regular expression.
    case textMatches(String)
    /// A tap on a button or list row with this id.
    case button(String)
    /// A named timer firing.
    case timer(String)
    /// A delivery status of one of these kinds, or any when empty.
    case status([String])
    /// A message the bot sent failed for good: refused by the Graph API, or a `failed` status.
    case sendFailed
    /// The answer to a `call` (or a custom action's work) named this.
    case response(String)
    /// A `call` (or a custom action's work) named this failed for good.
    case callFailed(String)
    /// An event the business posted for the user (`POST /api/events`) with this name.
    case event(String)

    /// Whether an inbound message starts it (not a timer, not a delivery status).
    public var isMessage: Bool {
        switch self {
        case .timer, .status, .sendFailed, .response, .callFailed, .event: false
        default: true
        }
    }

    /// A short label for graphs and traces: `/HISTORY`, `timer user_inactivity`, `message`.
    public var label: String {
        switch self {
        case .anyMessage: "message"
        case .messageTypes(let types): types.joined(separator: "|")
        case .commands(let commands, _): commands.isEmpty ? "any /command" : commands.joined(separator: "|")
        case .textEquals(let text, _): "text \"\(text)\""
        case .textContains(let text, _): "text contains \"\(text)\""
        case .textMatches(let pattern): "text ~ /\(pattern)/"
        case .button(let id): "button \(id)"
        case .timer(let name): "timer \(name)"
        case .status(let statuses): statuses.isEmpty ? "status" : "status " + statuses.joined(separator: "|")
        case .sendFailed: "send_failed"
        case .response(let name): "response \(name)"
        case .callFailed(let name): "call_failed \(name)"
        case .event(let name): "event \(name)"
        }
    }
}
