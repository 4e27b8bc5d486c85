import Synchronization

/// Users' snapshots as last committed, so hot users are served without a read.
///
/// Valid only while one process owns the data (SQLite and JSON files; Redis shares data between
/// instances and does not use it). The host runs a user's events one at a time, so applying a
/// commit after it succeeded keeps the copy exact. At most `capacity` users are kept: when it is
/// full, a tenth of them (whichever the dictionary yields first) make room, so memory stays
/// bounded however many distinct users pass (`serve --cache-users`).
public final class SnapshotCache: Sendable {
    private let entries = Mutex<[String: UserSnapshot]>([:])
    private let capacity: Int

    /// Users kept unless told otherwise.
    public static let defaultCapacity = 50_000

    init(capacity: Int = defaultCapacity) {
        self.capacity = max(capacity, 0)
    }

    /// How many users are cached now.
    var count: Int { entries.withLock { $0.count } }

    private static func key(_ bot: String, _ user: String) -> String { bot + "\u{1F}" + user }

    /// The cached snapshot with values expired at `now` left out.
    func get(bot: String, userID: String, now: Double) -> UserSnapshot? {
        guard var snapshot = entries.withLock({ $0[Self.key(bot, userID)] }) else { return nil }
        if snapshot.values.values.contains(where: { $0.isExpired(at: now) }) {
            snapshot.values = snapshot.values.filter { !$0.value.isExpired(at: now) }
        }
        return snapshot
    }

    /// The cached snapshot, or else the one `read` returns, which is cached; either way a load
    /// counted in `counter` (a thrown error is counted as one).
    func load(
        bot: String, userID: String, now: Double, counter: StatisticsCounter,
        read: () async throws -> UserSnapshot
    ) async throws -> UserSnapshot {
        // Decision traces are read by an operator now and then: not worth the memory.
        if bot.hasSuffix(TraceSettings.namespace("")) { return try await counter.counting { try await read() } }
        if let cached = get(bot: bot, userID: userID, now: now) {
            counter.load(found: cached.values.count)
            return cached
        }
        return try await counter.counting {
            let snapshot = try await read()
            counter.load(found: snapshot.values.count)
            put(bot: bot, snapshot)
            return snapshot
        }
    }

    func put(bot: String, _ snapshot: UserSnapshot) {
        guard capacity > 0 else { return }
        entries.withLock { entries in
            if entries.count >= capacity {
                // Dropping an arbitrary tenth is enough: a miss only costs one read.
                for key in entries.keys.prefix(capacity / 10 + 1) { entries[key] = nil }
            }
            entries[Self.key(bot, snapshot.userID)] = snapshot
        }
    }

    /// Applies a committed change to the cached copy, if there is one.
    func apply(_ commit: UserCommit) {
        entries.withLock { entries in
            let key = Self.key(commit.bot, commit.userID)
            // Taken out so it is the only reference and changes in place instead of being copied.
            guard var snapshot = entries.removeValue(forKey: key) else { return }
            for (storageKey, value) in commit.writes { snapshot.values[storageKey] = value }
            for (name, change) in commit.timers {
                switch change {
                case .start(let record): snapshot.timers[name] = record
                case .cancel: snapshot.timers[name] = nil
                case .fired(let generation):
                    if snapshot.timers[name]?.generation == generation { snapshot.timers[name] = nil }
                }
            }
            entries[key] = snapshot
        }
    }

    func removeAll() {
        entries.withLock { $0.removeAll() }
    }
}
