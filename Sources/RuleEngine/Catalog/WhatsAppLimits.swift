/// Meta's limits on what the Cloud API accepts, in one place for the compiler (literals), the
/// runtime (rendered texts) and the sender (every request before it leaves).
///
/// Source: the Cloud API reference (message and interactive object limits), as summarised in
/// README, "Limits and safety".
public enum WhatsAppLimits {
    /// Characters in a text message body; longer texts go out as several messages.
    public static let textBody = 4096
    /// Characters in the body of an interactive (buttons or list) message.
    public static let interactiveBody = 1024
    /// Characters in an interactive header or footer.
    public static let headerOrFooter = 60
    /// Characters in a reply button's title, and in a list's button label.
    public static let buttonTitle = 20
    /// Characters in a list row's title.
    public static let rowTitle = 24
    /// Characters in a list row's description.
    public static let rowDescription = 72
    /// Characters in a media caption.
    public static let caption = 1024
    /// Rows in a list message, across all its sections.
    public static let listRows = 10
    /// Characters in a reaction (one emoji, which may be several characters joined).
    public static let reactionEmoji = 10
    /// Characters in a button or row id.
    public static let choiceID = 256
    /// Digits in a business phone number id (Meta's are 15 to 17 today).
    public static let numberIDDigits = 1...32
    /// Digits in a recipient's WhatsApp id (E.164 allows 15; a margin for what Meta may add).
    public static let recipientDigits = 1...20

    /// Whether `text` can be a business phone number id: ASCII digits only, of a plausible length.
    public static func isNumberID(_ text: String) -> Bool {
        numberIDDigits.contains(text.utf8.count) && text.utf8.allSatisfy { (0x30...0x39).contains($0) }
    }

    /// Whether `text` can be a recipient's WhatsApp id.
    public static func isRecipient(_ text: String) -> Bool {
        recipientDigits.contains(text.utf8.count) && text.utf8.allSatisfy { (0x30...0x39).contains($0) }
    }
}
