public import RuleEngine

/// An item no retry can fix, moved aside where an operator can see and count it: an event whose
/// evaluation failed or ran past its budget, or a message that failed for good (refused by the
/// Graph API, or invalid before it was sent). Nothing in the dead letters is retried.
public struct DeadLetter: Sendable, Hashable {
    /// What was moved aside.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// An inbound event or timer firing.
        case event
        /// An outbound message.
        case message
    }

    /// What was moved aside.
    public var kind: Kind
    /// The event's or message's id.
    public var id: String
    /// The bot it belonged to.
    public var bot: String
    /// The user it concerned.
    public var userID: String
    /// Why it can never succeed.
    public var reason: String
    /// When it was moved aside (Unix seconds).
    public var at: Double
    /// The event or message as stored, for a person to inspect.
    public var payload: Value

    /// Creates a dead letter.
    public init(kind: Kind, id: String, bot: String, userID: String, reason: String, at: Double, payload: Value) {
        self.kind = kind
        self.id = id
        self.bot = bot
        self.userID = userID
        self.reason = reason
        self.at = at
        self.payload = payload
    }

    /// The dead letter for an event that can never be handled.
    public init(event entry: InboxEntry, reason: String, at: Double) {
        self.init(
            kind: .event, id: entry.event.id, bot: entry.bot, userID: entry.event.userID, reason: reason, at: at,
            payload: entry.recordValue)
    }

    /// The dead letter for a message that can never be sent.
    public init(message: OutboundMessage, reason: String, at: Double) {
        self.init(
            kind: .message, id: message.id, bot: message.bot, userID: message.to, reason: reason, at: at,
            payload: message.recordValue)
    }

    /// The dead letter for stored text that cannot be read back (a damaged journal line or file):
    /// nothing in it can be trusted, so it carries only the raw text.
    public static func unreadable(_ id: String, reason: String, raw: String, at: Double) -> DeadLetter {
        DeadLetter(kind: .event, id: id, bot: "", userID: "", reason: reason, at: at, payload: .string(raw))
    }

    /// How many dead letters a backend keeps; the oldest go first.
    public static let capacity = 10_000
}

extension DeadLetter {
    var recordJSON: String {
        Value.object([
            "kind": .string(kind.rawValue), "id": .string(id), "bot": .string(bot), "userID": .string(userID),
            "reason": .string(reason), "at": .double(at.isFinite ? at : 0), "payload": payload,
        ]).storageJSON
    }

    init(recordJSON: String) throws {
        let fields = try RecordFields(try JSONParser.parse(recordJSON), record: "dead letter")
        guard let kind = Kind(rawValue: try fields.string("kind")) else {
            throw RuntimeError.storage("stored dead letter has an unknown kind")
        }
        self.init(
            kind: kind, id: try fields.string("id"), bot: try fields.string("bot"), userID: try fields.string("userID"),
            reason: try fields.string("reason"), at: try fields.double("at"), payload: fields.fields["payload"] ?? .null
        )
    }
}

extension BotStorage {
    /// Keeps `letter` and tells `observer`; the one way an item is moved to the dead letters.
    func keep(_ letter: DeadLetter, observer: any HostObserver) async throws {
        try await quarantine([letter])
        observer.quarantined(letter)
    }
}
