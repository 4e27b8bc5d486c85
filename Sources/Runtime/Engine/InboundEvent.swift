public import RuleEngine

/// Something that happened to one user of one bot: a message, a timer firing or a delivery status.
public struct InboundEvent: Sendable, Hashable, Codable {
    /// What happened.
    public enum Kind: Sendable, Hashable, Codable {
        /// The user sent a message.
        case message(InboundMessage)
        /// A timer the bot started for the user fell due.
        case timer(TimerFiring)
        /// A message the bot sent changed status.
        case status(DeliveryStatus)
        /// A message the bot sent was refused for good by the Graph API.
        case sendFailed(SendFailure)
        /// Work a rule handed off (a call) finished: its answer, or its failure.
        case workResult(WorkResult)
        /// The business posted an event for the user.
        case business(BusinessEvent)
    }

    /// Unique per event: the message id (with a suffix for reaction removals), or the timer's generation.
    public var id: String
    /// The user's WhatsApp id (digits).
    public var userID: String
    /// The user's profile name, when WhatsApp sent one.
    public var contactName: String?
    /// The business phone number id the event arrived on, for routing and replies.
    public var phoneNumberID: String?
    /// What happened.
    public var kind: Kind

    /// Creates an event.
    public init(id: String, userID: String, contactName: String? = nil, phoneNumberID: String? = nil, kind: Kind) {
        self.id = id
        self.userID = userID
        self.contactName = contactName
        self.phoneNumberID = phoneNumberID
        self.kind = kind
    }

    /// A text message, the common case in tests and the simulator.
    public static func text(
        _ body: String, from userID: String, name: String? = nil, id: String, at timestamp: Double
    ) -> InboundEvent {
        InboundEvent(
            id: id, userID: userID, contactName: name,
            kind: .message(InboundMessage(id: id, type: "text", timestamp: timestamp, text: body)))
    }
}

/// An inbound WhatsApp message in our model; fields that do not apply are nil.
public struct InboundMessage: Sendable, Hashable, Codable {
    /// The wamid.
    public var id: String
    /// WhatsApp's type: text, image, interactive, …; unknown types keep their name.
    public var type: String
    /// When the user sent it (Unix seconds).
    public var timestamp: Double
    /// The text of a text message (or a template button's text).
    public var text: String?
    /// A media caption.
    public var caption: String?
    /// A document's file name.
    public var filename: String?
    /// A media MIME type.
    public var mimeType: String?
    /// A media id for download.
    public var mediaID: String?
    /// The id of the tapped button or list row (or template button payload).
    public var buttonID: String?
    /// The title of the tapped button or row.
    public var buttonTitle: String?
    /// A shared location.
    public var latitude: Double?
    /// A shared location.
    public var longitude: Double?
    /// A reaction's emoji (nil when a reaction was removed).
    public var emoji: String?
    /// The message a reaction refers to.
    public var reactedTo: String?
    /// The business message the user replied to.
    public var replyTo: String?
    /// Whether WhatsApp marked the message as forwarded.
    public var forwarded: Bool
    /// The raw JSON of the message, kept for types we do not model.
    public var raw: Value?

    /// Creates a message.
    public init(
        id: String, type: String, timestamp: Double, text: String? = nil, caption: String? = nil,
        filename: String? = nil, mimeType: String? = nil, mediaID: String? = nil, buttonID: String? = nil,
        buttonTitle: String? = nil, latitude: Double? = nil, longitude: Double? = nil, emoji: String? = nil,
        reactedTo: String? = nil, replyTo: String? = nil, forwarded: Bool = false, raw: Value? = nil
    ) {
        self.id = id
        self.type = type
        self.timestamp = timestamp
        self.text = text
        self.caption = caption
        self.filename = filename
        self.mimeType = mimeType
        self.mediaID = mediaID
        self.buttonID = buttonID
        self.buttonTitle = buttonTitle
        self.latitude = latitude
        self.longitude = longitude
        self.emoji = emoji
        self.reactedTo = reactedTo
        self.replyTo = replyTo
        self.forwarded = forwarded
        self.raw = raw
    }

    /// The command word (`/HISTORY`) when the text starts with `/`.
    public var command: String? {
        guard type == "text", let text, text.hasPrefix("/") else { return nil }
        let word = text.split(whereSeparator: \.isWhitespace).first.map(String.init)
        return word.flatMap { $0.count > 1 ? $0 : nil }
    }
}

/// A timer that fell due.
public struct TimerFiring: Sendable, Hashable, Codable {
    /// The timer's name.
    public var name: String
    /// When it was (re)started.
    public var startedAt: Double
    /// When it was due.
    public var dueAt: Double
    /// Identifies this start of the timer, so a restarted timer's old firing is ignored.
    public var generation: String

    /// Creates a firing.
    public init(name: String, startedAt: Double, dueAt: Double, generation: String) {
        self.name = name
        self.startedAt = startedAt
        self.dueAt = dueAt
        self.generation = generation
    }
}

/// A delivery status of a message the bot sent.
public struct DeliveryStatus: Sendable, Hashable, Codable {
    /// The wamid of the bot's message.
    public var messageID: String
    /// sent, delivered, read, played or failed.
    public var status: String
    /// When (Unix seconds).
    public var timestamp: Double
    /// Error codes of a failed message.
    public var errorCodes: [Int]
    /// The first error's title (or message), for a failed message.
    public var errorTitle: String?
    /// What RuleBot asked Meta to echo back (`biz_opaque_callback_data`): the rule and outbox id.
    public var callback: String?

    /// Creates a status.
    public init(
        messageID: String, status: String, timestamp: Double, errorCodes: [Int] = [], errorTitle: String? = nil,
        callback: String? = nil
    ) {
        self.messageID = messageID
        self.status = status
        self.timestamp = timestamp
        self.errorCodes = errorCodes
        self.errorTitle = errorTitle
        self.callback = callback
    }
}

/// A message the Graph API refused for good, as an event for the user's `send_failed` rules.
public struct SendFailure: Sendable, Hashable, Codable {
    /// The failed message's outbox id.
    public var outboxID: String
    /// The rule that sent it.
    public var rule: String?
    /// Meta's error code, when the answer had one (131047: outside the 24-hour window).
    public var code: Int?
    /// Why it failed.
    public var reason: String
    /// When it failed (Unix seconds).
    public var timestamp: Double

    /// The Graph API error code of a failure reason (`131047: …`, or `(#190)` inside), if any.
    public static func code(in reason: String) -> Int? {
        var digits = reason.prefix { $0.isNumber }
        if digits.isEmpty, let mark = reason.firstRange(of: "(#") {
            digits = reason[mark.upperBound...].prefix { $0.isNumber }
        }
        return (1...9).contains(digits.count) ? Int(digits) : nil
    }

    /// Creates a failure.
    public init(outboxID: String, rule: String?, code: Int?, reason: String, timestamp: Double) {
        self.outboxID = outboxID
        self.rule = rule
        self.code = code
        self.reason = reason
        self.timestamp = timestamp
    }
}

extension InboundEvent {
    /// Whether this is a timer firing.
    public var isTimer: Bool {
        if case .timer = kind { return true }
        return false
    }
}
