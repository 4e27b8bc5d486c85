import Foundation
import Synchronization

/// The wall clock the runtime reads, injected so tests and `rulebot test` run on virtual time.
public protocol TimeSource: Sendable {
    /// Seconds since 1970.
    func now() -> Double
    /// Returns at `deadline` (or earlier when cancelled).
    func sleep(until deadline: Double) async throws
}

/// The real clock.
public struct SystemTime: TimeSource {
    /// Creates the real clock.
    public init() {}

    /// `Date().timeIntervalSince1970`.
    public func now() -> Double { Date().timeIntervalSince1970 }

    /// Sleeps with `Task.sleep`.
    public func sleep(until deadline: Double) async throws {
        let seconds = deadline - now()
        if seconds > 0 { try await Task.sleep(for: .seconds(seconds)) }
    }
}

/// A clock that moves only when told to: tests advance it instead of sleeping.
public final class VirtualTime: TimeSource {
    private let current: Mutex<Double>

    /// A clock showing `start` (Unix seconds).
    public init(start: Double = 1_763_700_000) {
        current = Mutex(start)
    }

    /// The virtual time.
    public func now() -> Double { current.withLock { $0 } }

    /// Moves the clock forward.
    public func advance(by seconds: Double) {
        current.withLock { $0 += seconds }
    }

    /// Sets the clock.
    public func set(_ time: Double) {
        current.withLock { $0 = time }
    }

    /// Never waits: whoever drives virtual time fires timers explicitly.
    public func sleep(until deadline: Double) async throws {
        await Task.yield()
    }
}
