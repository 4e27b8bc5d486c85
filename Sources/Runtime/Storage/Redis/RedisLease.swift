import Synchronization

/// A user's lock on Redis as the task handling the user holds it: taken together with the
/// user's data in one script, whose data the first `load` then uses without asking again, and
/// released by the commit that writes the user's changes, in the same script. So an event costs
/// two exchanges with Redis: lock-and-load, commit-and-unlock.
final class RedisLease: Sendable {
    /// The lease of the task running now, set by `RedisStorage.withUserLease`.
    @TaskLocal static var current: RedisLease?

    private struct State {
        /// The replies of `HGETALL` on the user's data and timers, until the first load takes them.
        var prefetched: (data: [RedisReply], timers: [RedisReply])?
        var held = true
    }

    let bot: String
    let userID: String
    let lockKey: String
    let token: String
    private let state = Mutex(State())

    init(bot: String, userID: String, lockKey: String, token: String) {
        self.bot = bot
        self.userID = userID
        self.lockKey = lockKey
        self.token = token
    }

    /// Whether this lease is for `bot`'s `userID`.
    func covers(bot: String, userID: String) -> Bool {
        self.bot == bot && self.userID == userID
    }

    /// Keeps the data read with the lock for the first load.
    func prefetch(data: [RedisReply], timers: [RedisReply]) {
        state.withLock { $0.prefetched = (data, timers) }
    }

    /// The data read with the lock, once.
    func takePrefetched() -> (data: [RedisReply], timers: [RedisReply])? {
        state.withLock { state in
            defer { state.prefetched = nil }
            return state.prefetched
        }
    }

    /// Whether the lock is still held (a commit releases it).
    var isHeld: Bool { state.withLock { $0.held } }

    /// Notes that the lock is held (again) or was released.
    func setHeld(_ held: Bool) {
        state.withLock { $0.held = held }
    }
}
