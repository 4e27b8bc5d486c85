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

    /// Timers by due time, earliest first, so the timer loop's claim and next-due questions read
    /// the front instead of every timer. An entry whose timer was removed or restarted since is
    /// stale: skipped when met, and dropped when stale entries outnumber live ones. (A start
    /// replayed from the log may stand twice; a claim takes each timer once.)
    private var dueOrder: [(dueAt: Double, key: TimerKey, generation: String)] = []
    private var staleEntries = 0

    mutating func setTimer(_ record: TimerRecord) {
        let user = UserKey(bot: record.bot, user: record.userID)
        if let replaced = timers[user, default: [:]].updateValue(record, forKey: record.name) {
            // The same start applied again (a replayed log) is already in the order.
            if replaced.generation == record.generation && replaced.dueAt == record.dueAt { return }
            staleEntries += 1
        } else {
            timerCount += 1
        }
        // Most timers start due after the others, so this insert moves few entries.
        var low = dueOrder.count
        while low > 0, dueOrder[low - 1].dueAt > record.dueAt { low -= 1 }
        dueOrder.insert((record.dueAt, TimerKey(record), record.generation), at: low)
    }

    /// Removes a timer, only if it still has `generation` when one is given; returns whether it went.
    mutating func removeTimer(_ key: TimerKey, generation: String? = nil) -> Bool {
        guard let current = timers[key.user]?[key.name] else { return false }
        if let generation, current.generation != generation { return false }
        timers[key.user]?[key.name] = nil
        if timers[key.user]?.isEmpty == true { timers[key.user] = nil }
        leases[key] = nil
        timerCount -= 1
        staleEntries += 1
        if staleEntries > 1024, staleEntries > timerCount {
            let timers = self.timers
            dueOrder.removeAll { Self.isLive($0, in: timers) == false }
            staleEntries = 0
        }
        return true
    }

    private static func isLive(
        _ entry: (dueAt: Double, key: TimerKey, generation: String), in timers: [UserKey: [String: TimerRecord]]
    ) -> Bool {
        guard let timer = timers[entry.key.user]?[entry.key.name] else { return false }
        return timer.generation == entry.generation && timer.dueAt == entry.dueAt
    }

    /// The earliest due time of any timer.
    var nextTimerDue: Double? {
        dueOrder.first { Self.isLive($0, in: timers) }?.dueAt
    }

    /// Leases up to `limit` due timers not leased already, earliest first.
    mutating func claim(now: Double, limit: Int, lease: Double) -> [TimerRecord] {
        var claimed: [TimerRecord] = []
        // A replayed log can put a start in the order twice; each timer is claimed once.
        var taken = Set<TimerKey>()
        for entry in dueOrder {
            guard entry.dueAt <= now, claimed.count < limit else { break }
            guard Self.isLive(entry, in: timers), let timer = timers[entry.key.user]?[entry.key.name] else { continue }
            if let held = leases[entry.key], held.generation == timer.generation, held.until > now { continue }
            guard taken.insert(entry.key).inserted else { continue }
            claimed.append(timer)
        }
        for timer in claimed { leases[TimerKey(timer)] = Lease(generation: timer.generation, until: now + lease) }
        return claimed
    }
}
