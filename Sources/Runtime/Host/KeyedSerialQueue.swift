/// Runs operations one at a time per key, in the order they were submitted; different keys run concurrently.
actor KeyedSerialQueue {
    private var tails: [String: Task<Void, Never>] = [:]
    private var pending: [String: Int] = [:]

    /// Runs `operation` after every operation already submitted for `key`, and returns its result.
    func run<T: Sendable>(_ key: String, _ operation: @escaping @Sendable () async -> T) async -> T {
        let previous = tails[key]
        let task = Task<T, Never> {
            await previous?.value
            return await operation()
        }
        tails[key] = Task { _ = await task.value }
        pending[key, default: 0] += 1
        let result = await task.value
        pending[key, default: 1] -= 1
        if pending[key] == 0 {
            pending[key] = nil
            tails[key] = nil
        }
        return result
    }

    /// How many keys have work in flight.
    var activeKeys: Int { pending.count }
}
