import Synchronization

/// Group commit: writes that arrive while a write is in progress are written together in the
/// next transaction, so throughput is not capped by one transaction per event. Each caller
/// still gets its own result.
final class CommitBatcher<Item: Sendable>: Sendable {
    typealias Writer = @Sendable ([Item]) async throws -> [(any Error)?]

    private struct Queue {
        var items: [(Item, CheckedContinuation<Void, any Error>)] = []
        var draining = false
    }

    private let queue = Mutex(Queue())
    private let writer: Writer
    private let maxBatch: Int

    init(maxBatch: Int = 512, writer: @escaping Writer) {
        self.writer = writer
        self.maxBatch = maxBatch
    }

    func submit(_ commit: Item) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let startDrain = queue.withLock { queue in
                queue.items.append((commit, continuation))
                if queue.draining { return false }
                queue.draining = true
                return true
            }
            if startDrain { Task { await self.drain() } }
        }
    }

    private func drain() async {
        while true {
            let batch = queue.withLock { queue -> [(Item, CheckedContinuation<Void, any Error>)] in
                if queue.items.isEmpty {
                    queue.draining = false
                    return []
                }
                let count = min(maxBatch, queue.items.count)
                defer { queue.items.removeFirst(count) }
                return Array(queue.items.prefix(count))
            }
            if batch.isEmpty { return }
            do {
                let results = try await writer(batch.map(\.0))
                for (item, error) in zip(batch, results) {
                    if let error { item.1.resume(throwing: error) } else { item.1.resume() }
                }
            } catch {
                for item in batch { item.1.resume(throwing: error) }
            }
        }
    }
}
