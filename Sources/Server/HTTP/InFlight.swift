import Synchronization

/// Background work started after a webhook was acknowledged: at most `limit` items run at once
/// (the rest wait their turn in a queue, already stored in the inbox), and shutdown can wait for
/// all of it.
///
/// Bounding it keeps acceptance responsive during bursts: accepted events are durable, so
/// working them off a little later loses nothing, while a starved acceptor makes Meta retry.
/// A fixed set of worker tasks takes items from the queue, so a burst of thousands of webhooks
/// costs queue entries, not thousands of suspended tasks.
final class InFlight: Sendable {
    typealias Work = @Sendable () async -> Void

    private struct State {
        var queue: [Work] = []
        var head = 0
        var workers = 0
        var idleWaiters: [CheckedContinuation<Void, Never>] = []

        var waiting: Int { queue.count - head }

        mutating func next() -> Work? {
            guard head < queue.count else { return nil }
            let work = queue[head]
            head += 1
            // Drop the consumed prefix once it is most of the storage, keeping pops O(1) amortised.
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024, head * 2 >= queue.count {
                queue.removeFirst(head)
                head = 0
            }
            return work
        }
    }

    private let state = Mutex(State())
    private let limit: Int

    init(limit: Int = 8) {
        self.limit = limit
    }

    /// Queues `work`; it runs as soon as one of the `limit` workers is free.
    func spawn(_ work: @escaping Work) {
        let startWorker = state.withLock { state -> Bool in
            state.queue.append(work)
            guard state.workers < limit else { return false }
            state.workers += 1
            return true
        }
        if startWorker { Task { await self.runWorker() } }
    }

    private func runWorker() async {
        while true {
            let (work, idle) = state.withLock { state -> (Work?, [CheckedContinuation<Void, Never>]) in
                if let work = state.next() { return (work, []) }
                state.workers -= 1
                guard state.workers == 0 else { return (nil, []) }
                defer { state.idleWaiters = [] }
                return (nil, state.idleWaiters)
            }
            guard let work else {
                for waiter in idle { waiter.resume() }
                return
            }
            await work()
        }
    }

    /// Returns when no work is running or waiting.
    func drain() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if state.workers == 0 && state.waiting == 0 { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// How much work is running or waiting.
    var count: Int { state.withLock { $0.waiting + $0.workers } }
}
