import Logging
import ServiceLifecycle

/// Evaluates events: at start, the ones the inbox kept (accepted before a crash); at a graceful
/// shutdown (after the HTTP server stopped accepting) it returns once every accepted event was
/// evaluated and committed.
struct EventService: Service {
    let server: RulebotServer

    func run() async throws {
        await server.recover()
        try? await gracefulShutdown()
        server.logger.info("finishing accepted events", metadata: ["in.flight": "\(server.inFlight.count)"])
        await server.inFlight.drain()
    }
}
