import Runtime
import ServiceLifecycle

/// Paces a service loop's rounds. Production waits on a clock; a test hands out each round
/// itself, so no test waits for time to pass.
public protocol LoopTrigger: Sendable {
    /// Returns true when the next round should run, false when the loop should end.
    func next() async -> Bool
}

/// A round every `seconds` on `time`.
public struct Every: LoopTrigger {
    let seconds: Double
    let time: any TimeSource

    /// Rounds `seconds` apart on `time`.
    public init(_ seconds: Double, on time: any TimeSource) {
        self.seconds = seconds
        self.time = time
    }

    /// Waits `seconds`; false once the task is cancelled.
    public func next() async -> Bool {
        do { try await time.sleep(until: time.now() + seconds) } catch { return false }
        return !Task.isCancelled
    }
}

/// A service that does one round of work each time its trigger says, until a graceful shutdown.
protocol RoundService: Service {
    var trigger: any LoopTrigger { get }
    /// One round.
    func round() async
}

extension RoundService {
    func run() async throws {
        await cancelWhenGracefulShutdown {
            while await trigger.next() { await round() }
        }
    }
}
