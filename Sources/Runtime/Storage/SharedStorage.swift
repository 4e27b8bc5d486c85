/// What a storage shared by several server instances does besides `BotStorage`: hands over work
/// a dead instance left, tells the others to reload, and keeps one send rate for all of them.
public protocol SharedStorage: Sendable {
    /// Outbox messages created before `cutoff` (left by an instance that died), each handed to
    /// one caller for `lease` seconds.
    func claimStaleOutbox(createdBefore cutoff: Double, limit: Int, lease: Double) async throws -> [OutboundMessage]
    /// Tells every instance to reload; returns the new reload generation.
    func publishReload() async throws -> Int
    /// The reload generation: it changes when some instance published a reload.
    func reloadGeneration() async throws -> Int
    /// The shared token bucket of `number` (see `TokenBucket`): takes `count` requests and returns
    /// 0, or takes nothing and returns the seconds until there is room, for all instances together.
    func takeSendTokens(_ count: Int, for number: String, rate: Double) async throws -> Double
}

/// Paces sends with the bucket a shared storage keeps, so several instances together stay within
/// each number's rate.
public struct SharedRateLimiter: SendRateLimiter {
    let storage: any SharedStorage
    let rates: SendRates

    /// A limiter over `storage`'s buckets at `rates`.
    public init(storage: any SharedStorage, rates: SendRates) {
        self.storage = storage
        self.rates = rates
    }

    /// Takes from the shared bucket (its clock is the storage's, the same for every instance).
    public func take(_ count: Int, for number: String, now: Double) async throws -> Double {
        let rate = rates.rate(for: number)
        guard rate > 0, rate.isFinite else { return 0 }
        return try await storage.takeSendTokens(count, for: number, rate: rate)
    }
}
