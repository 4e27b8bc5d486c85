/// What RuleBot asks Meta to echo back in a message's status webhooks
/// (`biz_opaque_callback_data`): the rule that sent it and its outbox id, so a status or a
/// failure reaches the rules tied to the reply it is about, without a lookup table.
public struct SendCallback: Sendable, Hashable {
    /// The rule that sent the message.
    public var rule: String?
    /// The message's outbox id.
    public var outboxID: String

    /// Meta's limit on the callback text.
    static let maximumLength = 512
    private static let prefix = "rb1|"

    /// The callback of `message`.
    public init(message: OutboundMessage) {
        rule = message.rule
        outboxID = message.id
    }

    /// Reads a callback text RuleBot wrote; nil for anything else.
    public init?(text: String) {
        guard text.hasPrefix(Self.prefix) else { return nil }
        let rest = text.dropFirst(Self.prefix.count)
        guard let bar = rest.firstIndex(of: "|") else { return nil }
        rule = rest[..<bar].isEmpty ? nil : String(rest[..<bar])
        outboxID = String(rest[rest.index(after: bar)...])
    }

    /// `rb1|RULE|OUTBOX-ID`, or nil past Meta's limit of 512 characters.
    public var text: String? {
        let text = Self.prefix + (rule ?? "") + "|" + outboxID
        return text.count <= Self.maximumLength ? text : nil
    }
}
