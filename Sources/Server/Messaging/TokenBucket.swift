import Runtime
import Synchronization

/// Limits sends per business number (Meta's default throughput is 80 messages/s).
final class TokenBucket: Sendable {
    private struct State {
        var tokens: Double
        var updated: Double
    }

    private let rate: Double
    private let capacity: Double
    private let state: Mutex<[String: State]> = Mutex([:])
    private let time: any TimeSource

    init(ratePerSecond: Double, time: any TimeSource) {
        self.rate = ratePerSecond
        self.capacity = max(1, ratePerSecond)
        self.time = time
    }

    /// Waits until one send for `key` is allowed.
    func acquire(_ key: String) async {
        while true {
            let wait: Double = state.withLock { buckets in
                let now = time.now()
                var bucket = buckets[key] ?? State(tokens: capacity, updated: now)
                bucket.tokens = min(capacity, bucket.tokens + (now - bucket.updated) * rate)
                bucket.updated = now
                defer { buckets[key] = bucket }
                if bucket.tokens >= 1 {
                    bucket.tokens -= 1
                    return 0
                }
                return (1 - bucket.tokens) / rate
            }
            if wait <= 0 { return }
            try? await time.sleep(until: time.now() + wait)
        }
    }
}
