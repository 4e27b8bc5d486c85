/// A commit as the JSON backend logs it before applying it: the commit, its outbox messages
/// with their numbers, and until when its event's id is remembered.
struct JournalEntry: Codable {
    struct Numbered: Codable {
        var seq: Int
        var message: OutboundMessage
    }

    var commit: CodableCommit
    var outbox: [Numbered]
    /// Absent in journals written before the inbox became a journal of its own.
    var rememberUntil: Double?
}

/// One line of the JSON backend's commit log: a commit, or outbox messages that were sent.
struct LogRecord: Codable {
    var entry: JournalEntry?
    var sent: [String]?
}

/// `UserCommit` in a form that encodes as plain JSON.
struct CodableCommit: Codable {
    struct Write: Codable {
        var key: StorageKey
        var value: StoredValue?
    }

    struct TimerChange: Codable {
        var name: String
        var start: TimerRecord?
        var firedGeneration: String?
    }

    var bot: String
    var userID: String
    var writes: [Write]
    var timers: [TimerChange]
    var inboxID: String?

    init(_ commit: UserCommit) {
        bot = commit.bot
        userID = commit.userID
        writes = commit.writes.map { Write(key: $0.key, value: $0.value) }.sorted { $0.key < $1.key }
        timers = commit.timers.map { name, change in
            switch change {
            case .start(let record): TimerChange(name: name, start: record)
            case .cancel: TimerChange(name: name)
            case .fired(let generation): TimerChange(name: name, firedGeneration: generation)
            }
        }
        inboxID = commit.inboxID
    }
}
