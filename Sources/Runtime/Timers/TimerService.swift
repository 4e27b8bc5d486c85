import Logging

/// Fires due timers in real time: sleeps until the next due time (re-checking at least every
/// `pollInterval` for timers started meanwhile), then fires what is due in batches.
public struct TimerService: Sendable {
    let host: BotHost
    let pollInterval: Double
    let batchSize: Int

    /// A service for `host`'s timers.
    public init(host: BotHost, pollInterval: Double = 0.25, batchSize: Int = 1000) {
        self.host = host
        self.pollInterval = pollInterval
        self.batchSize = batchSize
    }

    /// Runs until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            let fired = await host.fireDueTimers(limit: batchSize)
            if fired > 0 { continue }
            let now = host.time.now()
            let next = (try? await host.storage.nextTimerDue()) ?? .infinity
            let wake = min(next, now + pollInterval)
            if wake > now {
                do { try await host.time.sleep(until: wake) } catch { return }
            }
        }
    }
}
