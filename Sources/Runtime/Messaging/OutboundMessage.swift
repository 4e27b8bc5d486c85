/// A message the bot sends, stored in the outbox until the sender has delivered it.
public struct OutboundMessage: Sendable, Hashable, Codable {
    /// What is sent.
    public enum Body: Sendable, Hashable, Codable {
        /// Plain text.
        case text(String)
        /// Text with up to three reply buttons.
        case buttons(text: String, buttons: [Button], header: String?, footer: String?)
        /// Text with a list of options.
        case list(text: String, button: String, sections: [ListSection], header: String?, footer: String?)
        /// Blue ticks for the user's message, optionally with a typing indicator.
        case markRead(messageID: String, typing: Bool)
        /// An image, video, audio, document or sticker, with a caption where Meta allows one.
        case media(Media, caption: String?)
        /// Reply buttons under an image, video or document.
        case mediaButtons(text: String, buttons: [Button], media: Media, footer: String?)
        /// A place on the map.
        case location(Location)
        /// Contact cards.
        case contacts([Contact])
        /// An emoji on one of the user's messages; an empty emoji removes the bot's reaction.
        case reaction(messageID: String, emoji: String)
        /// Text with one button that opens a URL.
        case ctaURL(text: String, button: String, url: String, header: String?, footer: String?)
        /// Text with a button asking the user to share their location.
        case locationRequest(text: String)
        /// One of Meta's approved template messages, the only kind allowed outside the 24-hour window.
        case template(TemplateMessage)
        /// Not a message: work a rule handed off (an HTTP call, a task), kept in the user's line.
        case work(PendingWork)

        /// Whether WhatsApp allows it only inside the 24-hour customer-service window.
        public var isFreeForm: Bool {
            switch self {
            case .template, .markRead, .work: false
            default: true
            }
        }
    }

    /// A reply button.
    public struct Button: Sendable, Hashable, Codable {
        /// What comes back when tapped.
        public var id: String
        /// The label.
        public var title: String

        /// Creates a button.
        public init(id: String, title: String) {
            self.id = id
            self.title = title
        }
    }

    /// A section of a list message.
    public struct ListSection: Sendable, Hashable, Codable {
        /// The heading.
        public var title: String?
        /// The rows.
        public var rows: [ListRow]

        /// Creates a section.
        public init(title: String?, rows: [ListRow]) {
            self.title = title
            self.rows = rows
        }
    }

    /// A row of a list message.
    public struct ListRow: Sendable, Hashable, Codable {
        /// What comes back when chosen.
        public var id: String
        /// The label.
        public var title: String
        /// A second line.
        public var description: String?

        /// Creates a row.
        public init(id: String, title: String, description: String?) {
            self.id = id
            self.title = title
            self.description = description
        }
    }

    /// Unique id of the outbox row (idempotency key).
    public var id: String
    /// The bot that sends it.
    public var bot: String
    /// The recipient's WhatsApp id.
    public var to: String
    /// The business number to send from, when known.
    public var phoneNumberID: String?
    /// The message the user sent that this replies to (shown as a quote), if any.
    public var replyTo: String?
    /// The content.
    public var body: Body
    /// When it was queued.
    public var createdAt: Double
    /// The rule that sent it, echoed back in its statuses and in `send_failed`.
    public var rule: String?
    /// Whether WhatsApp shows a preview of the first link in a text; nil shows one for https links.
    public var previewURL: Bool?

    /// Creates a message.
    public init(
        id: String, bot: String, to: String, phoneNumberID: String? = nil, replyTo: String? = nil, body: Body,
        createdAt: Double, rule: String? = nil, previewURL: Bool? = nil
    ) {
        self.id = id
        self.bot = bot
        self.to = to
        self.phoneNumberID = phoneNumberID
        self.replyTo = replyTo
        self.body = body
        self.createdAt = createdAt
        self.rule = rule
        self.previewURL = previewURL
    }

    /// The line the message waits in: the recipient's, in commit order; handed-off work has a
    /// line of its own per user, so a slow call never holds up the user's replies.
    var line: String {
        if case .work = body { return "work:" + to }
        return to
    }

    /// The text a person would read, for the simulator's transcript and conversation tests.
    public var displayText: String { body.display(withIDs: false) }

    /// The text with what a user of `rulebot chat` types back: button and row ids, media sources.
    public var detailedText: String { body.display(withIDs: true) }
}
