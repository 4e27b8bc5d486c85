import Synchronization

/// Paces the POSTs to `/messages` per business number, the unit Meta's throughput counts.
public protocol SendRateLimiter: Sendable {
    /// Takes `count` requests for `number` when its budget has room now and returns 0; otherwise
    /// takes nothing and returns the seconds until it will have room.
    func take(_ count: Int, for number: String, now: Double) async throws -> Double
}

/// Messages per second per business number: one default for every number, and the numbers whose
/// bot file sets `throughput:`. Replaced on reload.
public final class SendRates: Sendable {
    /// Meta's default throughput for a business number.
    public static let metaDefault = 80.0

    private let rates: Mutex<(standard: Double, byNumber: [String: Double])>

    /// `standard` per second for every number not listed in `byNumber`.
    public init(standard: Double = SendRates.metaDefault, byNumber: [String: Double] = [:]) {
        rates = Mutex((standard, byNumber))
    }

    /// The rate for `number`.
    public func rate(for number: String) -> Double {
        rates.withLock { $0.byNumber[number] ?? $0.standard }
    }

    /// The default rate.
    public var standard: Double { rates.withLock { $0.standard } }

    /// Replaces the per-number rates (after bot files were loaded).
    public func setRates(byNumber: [String: Double]) {
        rates.withLock { $0.byNumber = byNumber }
    }
}

/// The token bucket every limiter uses, in Swift here and in Lua for Redis: it refills at `rate`
/// per second and holds at most a fiftieth of a second's worth, so no one-second window sees
/// more than `rate` plus that small burst. A request for more than the bucket holds (a long
/// text sent as several POSTs) goes through once the bucket is full and leaves it in debt.
public struct TokenBucket: Sendable, Hashable {
    /// Tokens now.
    public var tokens: Double
    /// When `tokens` was computed.
    public var updated: Double

    /// The most a bucket for `rate` holds.
    public static func capacity(rate: Double) -> Double { max(1, rate / 50) }

    /// A full bucket at `now`.
    public init(rate: Double, now: Double) {
        tokens = Self.capacity(rate: rate)
        updated = now
    }

    /// Takes `count` tokens at `now` if there is room and returns 0; otherwise the seconds to wait.
    public mutating func take(_ count: Int, rate: Double, now: Double) -> Double {
        let capacity = Self.capacity(rate: rate)
        tokens = min(capacity, tokens + max(0, now - updated) * rate)
        updated = max(updated, now)
        // The tolerance and the least wait keep a refill computed in floating point from falling a
        // hair short and asking for a wait too small to move any clock.
        let needed = min(Double(count), capacity)
        guard tokens + 1e-9 >= needed else { return max((needed - tokens) / rate, 1e-6) }
        tokens -= Double(count)
        return 0
    }
}

/// Buckets kept in this process: right for one instance, and for each instance's own numbers.
public final class LocalRateLimiter: SendRateLimiter {
    private let rates: SendRates
    private let buckets = Mutex<[String: TokenBucket]>([:])

    /// A limiter at `rates`.
    public init(rates: SendRates) {
        self.rates = rates
    }

    /// Takes from the number's bucket.
    public func take(_ count: Int, for number: String, now: Double) async throws -> Double {
        let rate = rates.rate(for: number)
        guard rate > 0, rate.isFinite else { return 0 }
        return buckets.withLock { buckets in
            var bucket = buckets[number] ?? TokenBucket(rate: rate, now: now)
            defer { buckets[number] = bucket }
            return bucket.take(count, rate: rate, now: now)
        }
    }
}

/// No limit: conversation tests and the simulator.
public struct UnlimitedRate: SendRateLimiter {
    /// Creates it.
    public init() {}

    /// Always room.
    public func take(_ count: Int, for number: String, now: Double) async throws -> Double { 0 }
}
