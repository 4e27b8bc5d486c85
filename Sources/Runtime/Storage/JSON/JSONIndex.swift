import RuleEngine

/// What the JSON backend keeps in memory so that no event lists or scans a directory: the
/// pending outbox in order, the timers with their leases, and which value files each user has.
/// It is rebuilt on open from the files, the outbox snapshot and the commit log.
struct JSONIndex {
    struct UserKey: Hashable {
        var bot: String
        var user: String
    }

    struct TimerKey: Hashable {
        var user: UserKey
        var name: String

        init(_ record: TimerRecord) {
            self.init(UserKey(bot: record.bot, user: record.userID), record.name)
        }

        init(_ user: UserKey, _ name: String) {
            self.user = user
            self.name = name
        }
    }

    struct Lease {
        var generation: String
        var until: Double
    }

    /// The last outbox number given out.
    var sequence = 0
    /// Pending messages by id, with their numbers.
    private var outbox: [String: JournalEntry.Numbered] = [:]
    /// Message ids in number order; ids already removed are skipped and dropped from the front.
    private var outboxOrder: [String] = []
    private var outboxHead = 0
    /// Each user's timers by name.
    private(set) var timers: [UserKey: [String: TimerRecord]] = [:]
    private(set) var timerCount = 0
    /// Leases live only in memory: one process owns the directory, so a restart voids them.
    private var leases: [TimerKey: Lease] = [:]
    /// Value file names per scope, under every `_`-separated tail of their name: a user's files
    /// are those under the user's encoded id, the same files a `*_USER.json` match finds.
    private var valueFiles: [Scope: [String: Set<String>]] = [:]

    // MARK: Outbox

    /// Adds a message numbered `seq` (numbers only grow, so the order stays sorted).
    mutating func addOutbox(_ numbered: JournalEntry.Numbered) {
        sequence = max(sequence, numbered.seq)
        guard outbox[numbered.message.id] == nil else { return }
        outbox[numbered.message.id] = numbered
        outboxOrder.append(numbered.message.id)
    }

    /// Forgets a sent message.
    mutating func removeOutbox(_ id: String) {
        guard outbox.removeValue(forKey: id) != nil else { return }
        while outboxHead < outboxOrder.count, outbox[outboxOrder[outboxHead]] == nil { outboxHead += 1 }
        if outboxHead > 1024, outboxHead * 2 > outboxOrder.count {
            outboxOrder.removeFirst(outboxHead)
            outboxHead = 0
        }
    }

    /// The oldest `limit` pending messages, with their numbers.
    func pendingOutbox(limit: Int = .max) -> [JournalEntry.Numbered] {
        var messages: [JournalEntry.Numbered] = []
        var position = outboxHead
        while messages.count < limit, position < outboxOrder.count {
            if let pending = outbox[outboxOrder[position]] { messages.append(pending) }
            position += 1
        }
        return messages
    }

    // MARK: Value files

    /// The `_`-separated tails of a value file's name (without `.json`).
    private static func tails(of name: String) -> [Substring] {
        let base = name.dropLast(".json".count)
        return base.indices.filter { base[$0] == "_" }.map { base[base.index(after: $0)...] }
    }

    mutating func addValueFile(_ name: String, scope: Scope) {
        for tail in Self.tails(of: name) { valueFiles[scope, default: [:]][String(tail), default: []].insert(name) }
    }

    mutating func removeValueFile(_ name: String, scope: Scope) {
        for tail in Self.tails(of: name) {
            valueFiles[scope]?[String(tail)]?.remove(name)
            if valueFiles[scope]?[String(tail)]?.isEmpty == true { valueFiles[scope]?[String(tail)] = nil }
        }
    }

    /// The names of the value files in `scope` ending in `_ENCODEDUSER.json`.
    func valueFiles(of encodedUser: String, scope: Scope) -> Set<String> {
        valueFiles[scope]?[encodedUser] ?? []
    }

    // MARK: Timers

    mutating func setTimer(_ record: TimerRecord) {
        let user = UserKey(bot: record.bot, user: record.userID)
        if timers[user, default: [:]].updateValue(record, forKey: record.name) == nil { timerCount += 1 }
    }

    /// Removes a timer, only if it still has `generation` when one is given; returns whether it went.
    mutating func removeTimer(_ key: TimerKey, generation: String? = nil) -> Bool {
        guard let current = timers[key.user]?[key.name] else { return false }
        if let generation, current.generation != generation { return false }
        timers[key.user]?[key.name] = nil
        if timers[key.user]?.isEmpty == true { timers[key.user] = nil }
        leases[key] = nil
        timerCount -= 1
        return true
    }

    /// The earliest due time of any timer.
    var nextTimerDue: Double? {
        timers.values.lazy.flatMap(\.values).map(\.dueAt).min()
    }

    /// Leases up to `limit` due timers not leased already, earliest first.
    mutating func claim(now: Double, limit: Int, lease: Double) -> [TimerRecord] {
        var due: [TimerRecord] = []
        for timer in timers.values.lazy.flatMap(\.values) where timer.dueAt <= now {
            if let held = leases[TimerKey(timer)], held.generation == timer.generation, held.until > now { continue }
            due.append(timer)
        }
        let claimed = due.sorted { $0.dueAt < $1.dueAt }.prefix(limit)
        for timer in claimed { leases[TimerKey(timer)] = Lease(generation: timer.generation, until: now + lease) }
        return Array(claimed)
    }
}
