/// The names at the root of every expression (`message.text`, `user.count`, `now`), with the
/// fields each has: the one vocabulary the checker, the runtime and editor support share.
public enum VariableRoot: String, Sendable, CaseIterable {
    /// The incoming message or status.
    case message
    /// Who sent it.
    case contact
    /// The timer that fired, in timer rules.
    case timer
    /// About the bot itself.
    case bot
    /// Storage statistics.
    case stats
    /// The time the event is evaluated at (Unix seconds).
    case now
    /// Values stored per user.
    case user
    /// Values shared by all users of the bot.
    case table
    /// Values kept while the user stays in the current state, and the state itself.
    case state
    /// Constants from `vars:`.
    case vars
    /// The user's 24-hour customer-service window.
    case window
    /// A delivery status or a failed send, and the reply it is about.
    case status
    /// The answer to a call, or why it failed.
    case response
    /// An event the business posted for the user.
    case event

    /// The fields the root always has; nil when they are whatever the bot stores or declares.
    public var fields: [String]? {
        switch self {
        case .message: MessageField.allCases.map(\.rawValue)
        case .contact: ["name", "phone"]
        case .timer: ["name", "started_at", "due_at"]
        case .bot: ["name", "storage", "timezone"]
        case .stats: ["backend", "connected", "operations", "hits", "misses", "errors", "hit_ratio", "checked_at"]
        case .now: []
        case .window: ["open", "closes_at", "last_message_at"]
        case .status: ["name", "id", "timestamp", "rule", "outbox_id", "error", "recipient"]
        case .response: ["name", "ok", "status", "json", "headers", "reason", "attempts"]
        case .event: ["name", "data", "id"]
        case .user, .table, .state, .vars: nil
        }
    }
}

/// The fields of `message`; every event has all of them (null when they do not apply).
public enum MessageField: String, Sendable, CaseIterable {
    /// The message's id (a wamid), or for a status the id of the message it reports on.
    case id
    /// `text`, `image`, `interactive`, …, or `status`.
    case type
    /// The text of a text message.
    case text
    /// The first word of a text starting with `/`.
    case command
    /// The text after the command.
    case arguments
    /// A media message's caption.
    case caption
    /// A document's file name.
    case filename
    /// A media message's MIME type.
    case mimeType = "mime_type"
    /// A media message's id, to send it on.
    case mediaID = "media_id"
    /// The id of the tapped button or chosen list row.
    case button
    /// A location's latitude.
    case latitude
    /// A location's longitude.
    case longitude
    /// A reaction's emoji.
    case emoji
    /// The message a reaction is about.
    case reactedTo = "reacted_to"
    /// When the message was sent (Unix seconds).
    case timestamp
    /// The message this one quotes.
    case replyTo = "reply_to"
    /// Whether it was forwarded.
    case forwarded
    /// The message as WhatsApp sent it.
    case raw
    /// A status event's status (`sent`, `delivered`, `read`, `failed`).
    case status
    /// The title of the tapped button or chosen list row.
    case buttonTitle = "button_title"
    /// A shared location: latitude, longitude, name, address, url.
    case location
    /// Shared contact cards: a list of {name, phones, emails}.
    case contacts
    /// An order from the catalog: catalog_id, text, items [{product_id, quantity, price, currency}].
    case order
    /// The Click-to-WhatsApp ad the user came from: source_url, source_id, source_type, headline, body, media_type, ctwa_clid.
    case referral
    /// The answers of a completed WhatsApp Flow, as a record.
    case flow
    /// Whether WhatsApp marked it as forwarded many times.
    case frequentlyForwarded = "frequently_forwarded"
}
