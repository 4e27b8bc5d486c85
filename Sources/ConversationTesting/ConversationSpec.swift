public import RuleEngine

/// A conversation test file (`bots/tests/*.yaml`): which bot, and scripted conversations.
///
/// ```yaml
/// bot: ../expiry.yaml
/// tests:
///   - name: echo after silence
///     steps:
///       - send: hello
///       - reply: { contains: "collecting" }
///       - advance: 15s
///       - reply: { contains: "1. [" }
/// ```
public struct ConversationSpec: Sendable {
    /// The bot file, relative to the test file.
    public var bot: String
    /// The default user's phone number.
    public var user: String
    /// The default user's profile name.
    public var name: String?
    /// The conversations.
    public var tests: [Test]
    /// How calls are answered, by result name, in every test (a test's own `calls:` win).
    public var calls: [String: CallMock] = [:]
    /// The environment API settings read as `${NAME}` in these tests (the real one is not read).
    public var environment: [String: String] = [:]

    /// One scripted conversation, run on fresh storage.
    public struct Test: Sendable {
        /// What it checks.
        public var name: String
        /// Where it starts.
        public var location: SourceLocation
        /// The steps, in order.
        public var steps: [Step]
        /// This test's call mocks.
        public var calls: [String: CallMock] = [:]
    }

    /// One step and where it is written.
    public struct Step: Sendable {
        /// What the step does.
        public var kind: StepKind
        /// Where it is.
        public var location: SourceLocation
        /// Another user than the file's default, for this step.
        public var user: String?
    }

    /// What a step does.
    public enum StepKind: Sendable {
        /// The user sends a message: `send: hello` or `send: {type: image, caption: …}`.
        case send(MessageSpec)
        /// The same message as the last `send` is delivered again (a webhook retry).
        case resend
        /// The virtual clock moves forward, and due timers fire.
        case advance(seconds: Double)
        /// The next reply the bot sent must match.
        case reply(ReplyExpectation)
        /// The bot must have sent nothing more.
        case noReply
        /// Replies not yet checked are discarded.
        case skipReplies
        /// The user must be in this state.
        case state(String)
        /// This expression, over the user's data, must be true.
        case expect(CompiledExpression)
        /// The host is stopped and a new one is started on the same storage.
        case restart
        /// WhatsApp reports a status of the bot's latest message: `status: delivered` or
        /// `status: { name: failed, error: 131047 }`.
        case status(name: String, error: Int?)
        /// The business posts an event for the user: `event: { name: order_shipped, data: {…} }`.
        case event(name: String, data: Value)
        /// The bot made this call, with a body holding these fields: `called: ticket` or
        /// `called: { name: ticket, body: { email: ana@example.org } }`.
        case called(name: String, body: Value)
    }

    /// A message a test sends.
    public struct MessageSpec: Sendable {
        /// WhatsApp message type.
        public var type: String = "text"
        /// The text.
        public var text: String?
        /// A caption.
        public var caption: String?
        /// A button or list row id (for `tap`).
        public var button: String?
        /// A document file name.
        public var filename: String?

        /// A message of `type`.
        public init(
            type: String = "text", text: String? = nil, caption: String? = nil, button: String? = nil,
            filename: String? = nil
        ) {
            self.type = type
            self.text = text
            self.caption = caption
            self.button = button
            self.filename = filename
        }
    }

    /// What a reply must look like.
    public enum ReplyExpectation: Sendable {
        /// Exactly this text (trailing newlines ignored).
        case exact(String)
        /// Containing each of these texts.
        case contains([String])
        /// Matching this regular expression.
        case matches(String)
    }
}
