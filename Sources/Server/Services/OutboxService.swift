import Runtime
import ServiceLifecycle

/// Sends the outbox: runs the dispatcher's loop. At a graceful shutdown (which reaches it after
/// the HTTP server stopped and the evaluations in flight finished) it keeps sending for at most
/// `drainTimeout` seconds; whatever is left stays in the outbox for the next start or another instance.
struct OutboxService: Service {
    let dispatcher: OutboxDispatcher
    let drainTimeout: Double

    func run() async throws {
        await withGracefulShutdownHandler {
            await dispatcher.run()
        } onGracefulShutdown: {
            dispatcher.drain(within: drainTimeout)
        }
    }
}
