import Synchronization

/// Counts background work started after a webhook was acknowledged, so shutdown can wait for it.
final class InFlight: Sendable {
    private let state = Mutex<(count: Int, waiters: [CheckedContinuation<Void, Never>])>((0, []))

    /// Runs `work` in a new task, counted until it finishes.
    func spawn(_ work: @escaping @Sendable () async -> Void) {
        state.withLock { $0.count += 1 }
        Task {
            await work()
            let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.count -= 1
                guard state.count == 0 else { return [] }
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
    }

    /// Returns when no counted work is running.
    func drain() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if state.count == 0 { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// How much work is running.
    var count: Int { state.withLock { $0.count } }
}
