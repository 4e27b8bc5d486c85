import Synchronization

/// Background work started after a webhook was acknowledged: at most `limit` run at once (the
/// rest wait their turn, already stored in the inbox), and shutdown can wait for all of it.
///
/// Bounding it keeps acceptance responsive during bursts: accepted events are durable, so
/// working them off a little later loses nothing, while a starved acceptor makes Meta retry.
final class InFlight: Sendable {
    private struct State {
        var count = 0
        var running = 0
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
        var slotWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let limit: Int

    init(limit: Int = 8) {
        self.limit = limit
    }

    /// Runs `work` in a new task once a slot is free, counted until it finishes.
    func spawn(_ work: @escaping @Sendable () async -> Void) {
        state.withLock { $0.count += 1 }
        Task {
            await acquire()
            await work()
            release()
        }
    }

    private func acquire() async {
        await withCheckedContinuation { continuation in
            let granted = state.withLock { state -> Bool in
                if state.running < limit {
                    state.running += 1
                    return true
                }
                state.slotWaiters.append(continuation)
                return false
            }
            if granted { continuation.resume() }
        }
    }

    private func release() {
        let (next, idle) = state.withLock {
            state -> (CheckedContinuation<Void, Never>?, [CheckedContinuation<Void, Never>]) in
            state.count -= 1
            var next: CheckedContinuation<Void, Never>?
            if state.slotWaiters.isEmpty {
                state.running -= 1
            } else {
                next = state.slotWaiters.removeFirst()
            }
            guard state.count == 0 else { return (next, []) }
            defer { state.idleWaiters = [] }
            return (next, state.idleWaiters)
        }
        next?.resume()
        for waiter in idle { waiter.resume() }
    }

    /// Returns when no counted work is running or waiting.
    func drain() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if state.count == 0 { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// How much work is running or waiting.
    var count: Int { state.withLock { $0.count } }
}
