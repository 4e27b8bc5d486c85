import Logging

/// Fires due timers in real time. Keeps up to `maxInFlight` firings running and claims more as
/// they finish, so a burst of due timers flows through without waiting for whole batches; when
/// nothing is due it sleeps until the next due time (re-checking every `pollInterval` for
/// timers started meanwhile).
public struct TimerService: Sendable {
    let host: BotHost
    let pollInterval: Double
    let maxInFlight: Int
    let lease: Double

    /// A service for `host`'s timers; a claimed timer is leased for `lease` seconds.
    public init(host: BotHost, pollInterval: Double = 0.25, maxInFlight: Int = 512, lease: Double = 30) {
        self.host = host
        self.pollInterval = pollInterval
        self.maxInFlight = maxInFlight
        self.lease = lease
    }

    /// Runs until the task is cancelled.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            while !Task.isCancelled {
                let free = maxInFlight - running
                var claimed: [TimerRecord] = []
                // Claim in batches: each claim is a write, so one per finished firing would be slower than firing.
                if free >= maxInFlight / 2 {
                    do {
                        claimed = try await host.storage.claimDueTimers(now: host.time.now(), limit: free, lease: lease)
                    } catch is CancellationError {
                        break
                    } catch {
                        host.logger.error("could not claim due timers", metadata: ["error": "\(error)"])
                    }
                }
                for timer in claimed {
                    group.addTask { await host.fire(timer) }
                }
                running += claimed.count
                if running > maxInFlight / 2 || (claimed.isEmpty && running > 0) {
                    if await group.next() != nil { running -= 1 }
                    continue
                }
                if claimed.isEmpty {
                    let now = host.time.now()
                    let next = (try? await host.storage.nextTimerDue()) ?? .infinity
                    let wake = min(next, now + pollInterval)
                    if wake > now {
                        do { try await host.time.sleep(until: wake) } catch { break }
                    }
                }
            }
            group.cancelAll()
        }
    }
}
