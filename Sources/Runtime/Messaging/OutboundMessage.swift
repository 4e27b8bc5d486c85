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

    /// Creates a message.
    public init(
        id: String, bot: String, to: String, phoneNumberID: String? = nil, replyTo: String? = nil, body: Body,
        createdAt: Double
    ) {
        self.id = id
        self.bot = bot
        self.to = to
        self.phoneNumberID = phoneNumberID
        self.replyTo = replyTo
        self.body = body
        self.createdAt = createdAt
    }

    /// The text a person would read, for logs, the simulator and conversation tests.
    public var displayText: String {
        switch body {
        case .text(let text): return text
        case .buttons(let text, let buttons, let header, let footer):
            return [header, text, footer].compactMap { $0 }.joined(separator: "\n") + "\n"
                + buttons.map { "[\($0.title)]" }.joined(separator: " ")
        case .list(let text, let button, let sections, let header, let footer):
            let rows = sections.flatMap(\.rows).map { "• \($0.title)" }.joined(separator: "\n")
            return [header, text, footer].compactMap { $0 }.joined(separator: "\n") + "\n[\(button)]\n" + rows
        case .markRead: return ""
        }
    }
}
