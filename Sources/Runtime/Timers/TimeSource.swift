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

/// A clock that moves only when told to: tests advance it instead of sleeping. A `sleep` returns
/// once the clock is moved to or past its deadline (or its task is cancelled), so a service loop
/// on this clock runs exactly when the test moves time.
public final class VirtualTime: TimeSource {
    private struct Sleeper {
        var deadline: Double
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Double
        var sleepers: [Int: Sleeper] = [:]
        var nextID = 0
    }

    private let state: Mutex<State>

    /// A clock showing `start` (Unix seconds).
    public init(start: Double = 1_763_700_000) {
        state = Mutex(State(now: start))
    }

    /// The virtual time.
    public func now() -> Double { state.withLock { $0.now } }

    /// Moves the clock forward, waking the sleeps it passes.
    public func advance(by seconds: Double) {
        move { $0 += seconds }
    }

    /// Sets the clock, waking the sleeps it passes.
    public func set(_ time: Double) {
        move { $0 = time }
    }

    /// How many sleeps are waiting for the clock to move.
    public var sleeping: Int { state.withLock { $0.sleepers.count } }

    private func move(_ change: (inout Double) -> Void) {
        let woken = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            change(&state.now)
            let now = state.now
            let due = state.sleepers.filter { $0.value.deadline <= now }
            for id in due.keys { state.sleepers[id] = nil }
            return due.values.map(\.continuation)
        }
        for continuation in woken { continuation.resume() }
    }

    /// Returns when the clock reaches `deadline`; throws `CancellationError` when cancelled first.
    public func sleep(until deadline: Double) async throws {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLock { state -> Result<Void, any Error>? in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if deadline <= state.now { return .success(()) }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }
}

/// The real clock plus a shift that only grows: `rulebot chat`'s `/advance 10m` moves it forward,
/// and everything after runs ten minutes later, at real speed.
public final class ShiftedTime: TimeSource {
    private let shift = Mutex(0.0)

    /// The real clock, unshifted.
    public init() {}

    /// Real time plus the shift.
    public func now() -> Double { Date().timeIntervalSince1970 + shift.withLock { $0 } }

    /// Moves the clock forward by `seconds` (a negative shift is ignored).
    public func advance(by seconds: Double) {
        shift.withLock { $0 += max(0, seconds) }
    }

    /// Sleeps in real time until the shifted clock shows `deadline`.
    public func sleep(until deadline: Double) async throws {
        let seconds = deadline - now()
        if seconds > 0 { try await Task.sleep(for: .seconds(seconds)) }
    }
}
