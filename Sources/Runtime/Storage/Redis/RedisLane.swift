import Foundation
import Synchronization

/// One connection and the requests waiting for it, sent from its own serial queue.
final class RedisLane: Sendable {
    typealias Waiting = (commands: [[String]], continuation: CheckedContinuation<[RedisReply], any Error>?)

    let connection: RedisConnection
    let queue: DispatchQueue
    private let waiting = Mutex<(requests: [Waiting], draining: Bool)>(([], false))

    init(_ connection: RedisConnection, _ queue: DispatchQueue) {
        self.connection = connection
        self.queue = queue
    }

    /// Adds a request; starts draining if nothing is.
    func enqueue(_ request: Waiting, counts: RedisCounts) {
        let startDrain = waiting.withLock { waiting in
            waiting.requests.append(request)
            if waiting.draining { return false }
            waiting.draining = true
            return true
        }
        if startDrain { queue.async { self.drain(counts: counts) } }
    }

    /// Sends everything waiting, in one pipeline per turn, until nothing is left; runs on `queue`.
    private func drain(counts: RedisCounts) {
        while true {
            let batch = waiting.withLock { waiting -> [Waiting] in
                if waiting.requests.isEmpty {
                    waiting.draining = false
                    return []
                }
                defer { waiting.requests.removeAll(keepingCapacity: true) }
                return waiting.requests
            }
            if batch.isEmpty { return }
            counts.flushes.add(1, ordering: .relaxed)
            do {
                var replies = try connection.pipeline(batch.flatMap(\.commands))[...]
                for request in batch {
                    request.continuation?.resume(returning: Array(replies.prefix(request.commands.count)))
                    replies = replies.dropFirst(request.commands.count)
                }
            } catch {
                for request in batch { request.continuation?.resume(throwing: error) }
            }
        }
    }
}
