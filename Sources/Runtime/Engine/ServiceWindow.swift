/// WhatsApp's customer-service window: free-form messages are allowed for 24 hours after the
/// user's last message; after that only template messages.
public enum ServiceWindow {
    /// The window's length in seconds.
    public static let length: Double = 24 * 3600
    /// Where the time of the user's last message is kept (hidden from `user`).
    static let key = StorageKey(.user, "@window")
    /// How long Meta keeps redelivering a webhook: a message timestamp older than this is not Meta's.
    static let redelivery: Double = 7 * 24 * 3600
    /// When the window opened by a message at `lastMessage` closes.
    public static func closes(after lastMessage: Double) -> Double { lastMessage + length }

    /// Whether the window opened by a message at `lastMessage` is open at `now`.
    public static func isOpen(lastMessage: Double, now: Double) -> Bool { now < closes(after: lastMessage) }

    /// The stored time is rewritten only when at least this much newer.
    static let granularity: Double = 60
}
