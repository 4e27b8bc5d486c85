import Logging
import Runtime
import ServiceLifecycle

/// On shared storage, takes over what a dead instance left each round: inbox events it accepted
/// but never committed, and outbox messages it never sent. A commit of an event another instance
/// already handled is refused by the storage, and a stale message is claimed by one instance only,
/// so nothing doubles.
struct RecoveryService: RoundService {
    let server: RulebotServer
    let shared: any SharedStorage
    let trigger: any LoopTrigger
    /// A message older than this, still in the outbox, is taken for abandoned.
    let staleAfter: Double

    /// One round.
    func round() async {
        await server.host.drainInbox(run: server.inFlight.run)
        let cutoff = server.host.time.now() - staleAfter
        do {
            let stale = try await shared.claimStaleOutbox(createdBefore: cutoff, limit: 1000, lease: 60)
            if !stale.isEmpty {
                server.logger.info(
                    "sending messages another instance left unsent", metadata: ["count": "\(stale.count)"])
                server.host.dispatcher.enqueue(stale)
            }
        } catch {
            server.logger.error(
                "could not look for unsent messages of other instances", metadata: ["error": "\(error)"])
        }
    }
}
