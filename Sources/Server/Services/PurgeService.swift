import Logging
import Runtime
import ServiceLifecycle

/// Deletes expired values and forgotten event ids each round.
struct PurgeService: RoundService {
    let storage: any BotStorage
    let time: any TimeSource
    let trigger: any LoopTrigger
    let logger: Logger

    /// One round.
    func round() async {
        do {
            let removed = try await storage.purgeExpired(now: time.now())
            if removed > 0 { logger.debug("purged expired data", metadata: ["rows": "\(removed)"]) }
        } catch {
            logger.error("purging expired data failed", metadata: ["error": "\(error)"])
        }
    }
}
