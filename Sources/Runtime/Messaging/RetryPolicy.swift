/// How long a message waits before its next attempt, and when the dispatcher gives up on it.
public struct RetryPolicy: Sendable, Hashable {
    /// The first backoff, doubled after each failed attempt.
    public var base: Double
    /// The longest backoff between two attempts.
    public var cap: Double
    /// The share by which each backoff is spread, so many messages failing together do not all
    /// come back at the same instant (0.2: from 80 % to 120 %).
    public var jitter: Double
    /// Seconds after its commit past which a message still not accepted fails for good: a
    /// free-form reply is refused outside WhatsApp's 24-hour window anyway.
    public var giveUpAfter: Double

    /// Creates a policy.
    public init(base: Double = 0.5, cap: Double = 60, jitter: Double = 0.2, giveUpAfter: Double = 86_400) {
        self.base = base
        self.cap = cap
        self.jitter = jitter
        self.giveUpAfter = giveUpAfter
    }

    /// The defaults: 0.5 s doubling up to a minute, given up after a day.
    public static let standard = RetryPolicy()

    /// The wait after failed attempt number `attempt` (1 for the first), never shorter than what
    /// the Graph API asked for; `unit` in 0...1 places it within the jitter.
    func backoff(attempt: Int, requested: Double, unit: Double) -> Double {
        let exponential = min(cap, base * Double(1 << min(max(attempt - 1, 0), 30)))
        return max(requested, exponential) * (1 - jitter + 2 * jitter * unit)
    }

    /// Meta's rule for error 131056 (too many messages to one user): wait 4^X seconds, X counting
    /// the consecutive refusals from 0.
    func pairBackoff(strikes: Int) -> Double {
        var seconds = 1.0
        for _ in 0..<min(max(strikes - 1, 0), 6) { seconds *= 4 }
        return seconds
    }
}
