import Synchronization

/// Background work started after a webhook was acknowledged: at most `limit` items run at once
/// (the rest wait their turn in a queue, already stored in the inbox), and shutdown can wait for
/// all of it.
///
/// Bounding it keeps acceptance responsive during bursts: accepted events are durable, so
/// working them off a little later loses nothing, while a starved acceptor makes Meta retry.
/// A fixed set of worker tasks takes items from the queue, so a burst of thousands of webhooks
/// costs queue entries, not thousands of suspended tasks.
///
/// Acceptance comes first: while at least `burst` webhook requests are being accepted at once,
/// only `workersInBurst` workers keep processing (so the backlog still moves), and the rest
/// start again when the burst is over.
final class InFlight: Sendable {
    typealias Work = @Sendable () async -> Void

    private struct State {
        var queue: [Work?] = []
        var head = 0
        var workers = 0
        var idleWaiters: [CheckedContinuation<Void, Never>] = []

        var waiting: Int { queue.count - head }

        mutating func next() -> Work? {
            guard head < queue.count else { return nil }
            let work = queue[head]
            queue[head] = nil  // release the finished item's captures now, not at compaction
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
    private let acceptingNow = Atomic<Int>(0)
    private let limit: Int
    private let burst: Int
    private let workersInBurst: Int

    init(limit: Int = 8, burst: Int = 8, workersInBurst: Int = 2) {
        self.limit = limit
        self.burst = burst
        self.workersInBurst = max(1, min(workersInBurst, limit))
    }

    /// How many workers may run now.
    private var allowedWorkers: Int {
        acceptingNow.load(ordering: .relaxed) >= burst ? workersInBurst : limit
    }

    /// Queues `work`; it runs as soon as a worker is free.
    func spawn(_ work: @escaping Work) {
        state.withLock { $0.queue.append(work) }
        startWorkers()
    }

    /// Queues `work` like `spawn` and returns once it has run.
    func run(_ work: @escaping Work) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            spawn {
                await work()
                done.resume()
            }
        }
    }

    /// Marks a webhook request as being accepted until `body` returns.
    func accepting<T>(_ body: () async throws -> T) async rethrows -> T {
        acceptingNow.add(1, ordering: .relaxed)
        defer {
            // The burst is over when acceptance drops below the mark: let the other workers run.
            if acceptingNow.subtract(1, ordering: .relaxed).newValue == burst - 1 { startWorkers() }
        }
        return try await body()
    }

    private func startWorkers() {
        let allowed = allowedWorkers
        let count = state.withLock { state -> Int in
            let count = max(0, min(allowed - state.workers, state.waiting))
            state.workers += count
            return count
        }
        for _ in 0..<count { Task { await self.runWorker() } }
    }

    private func runWorker() async {
        while true {
            let allowed = allowedWorkers
            let (work, idle) = state.withLock { state -> (Work?, [CheckedContinuation<Void, Never>]) in
                if state.workers <= allowed, let work = state.next() { return (work, []) }
                state.workers -= 1
                guard state.workers == 0, state.waiting == 0 else { return (nil, []) }
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

    /// How many webhook requests are being accepted now.
    var acceptingCount: Int { acceptingNow.load(ordering: .relaxed) }

    /// How much work is running or waiting.
    var count: Int { state.withLock { $0.waiting + $0.workers } }
}
