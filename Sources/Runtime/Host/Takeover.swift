import RuleEngine

/// Human takeover: an agent pauses the bot for one user; while paused, the user's events are
/// kept and traced but not answered. Resuming sends the bot a `resumed` event, which
/// `when: resumed` rules may answer ("I'm back; where were we?").
public enum Takeover {
    /// Set while the bot is paused for the user (hidden from `user`), with who paused it and when.
    public static let key = StorageKey(.user, "@paused")
    /// The event a resume sends.
    public static let resumedEvent = "resumed"

    /// The commit that pauses (or resumes) the bot for `userID`.
    public static func commit(bot: String, userID: String, paused: Bool, by agent: String, at now: Double) -> UserCommit
    {
        var commit = UserCommit(bot: bot, userID: userID)
        commit.writes[key] = paused ? StoredValue(.object(["by": .string(agent), "at": .double(now)])) : .some(nil)
        return commit
    }

    /// The `resumed` event for `userID`.
    public static func resumed(bot: String, userID: String, by agent: String, at now: Double) -> InboxEntry {
        let id = "resumed:\(Int(now * 1000))"
        return InboxEntry(
            bot: bot,
            event: InboundEvent(
                id: id, userID: userID,
                kind: .business(BusinessEvent(name: resumedEvent, data: .object(["by": .string(agent)]), id: id))))
    }
}

extension InboundEvent {
    /// Whether this is the event a resume sends, which a paused user's bot does handle.
    var isResume: Bool {
        if case .business(let event) = kind { return event.name == Takeover.resumedEvent }
        return false
    }
}
