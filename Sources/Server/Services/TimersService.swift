import Runtime
import ServiceLifecycle

/// Fires due timers on the host's clock until a graceful shutdown; a firing in progress finishes.
struct TimersService: Service {
    let timers: TimerService

    func run() async throws {
        await cancelWhenGracefulShutdown { await timers.run() }
    }
}
