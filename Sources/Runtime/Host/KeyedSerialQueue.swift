/// Runs operations one at a time per key, in the order they were submitted; different keys run
/// concurrently. Waiters queue as continuations, so an uncontended key costs two actor hops
/// and no extra tasks.
final class KeyedSerialQueue<Key: Hashable & Sendable>: Sendable {
    private actor Locks {
        private var waiters: [Key: [CheckedContinuation<Void, Never>]] = [:]

        func acquire(_ key: Key) async {
            if waiters[key] == nil {
                waiters[key] = []
                return
            }
            await withCheckedContinuation { waiters[key, default: []].append($0) }
        }

        func release(_ key: Key) {
            guard var queue = waiters[key], !queue.isEmpty else {
                waiters[key] = nil
                return
            }
            let next = queue.removeFirst()
            waiters[key] = queue
            next.resume()
        }
    }

    private let locks = Locks()

    /// Runs `operation` after every operation already submitted for `key`, and returns its result.
    func run<T: Sendable>(_ key: Key, _ operation: @Sendable () async -> T) async -> T {
        await locks.acquire(key)
        let result = await operation()
        await locks.release(key)
        return result
    }
}
