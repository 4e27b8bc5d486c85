import Hummingbird
import Logging
import Runtime
import ServiceLifecycle
import UnixSignals

/// How the services besides HTTP are paced.
public struct ServiceOptions: Sendable {
    /// Seconds between checks of the bot files for changes.
    public var reloadInterval = 1.0
    /// Seconds a claimed timer is reserved.
    public var timerLease = 30.0
    /// Seconds between looks for work a dead instance left (shared storage only).
    public var recoveryInterval = 5.0
    /// Seconds the outbox keeps sending after a graceful shutdown reached it.
    public var drainTimeout = 10.0
    /// Seconds between purges of expired data.
    public var purgeInterval = 60.0

    /// The defaults.
    public init() {}
}

extension RulebotServer {
    /// Every service a running server needs besides its front (HTTP or a terminal), in start
    /// order. A graceful shutdown runs through them in reverse: the front stops accepting first,
    /// then the loops stop, the events in flight finish, and the outbox drains last, for at most
    /// `drainTimeout`.
    ///
    /// `serve`, `chat` and the tests all assemble their `ServiceGroup` from this list.
    func services(options: ServiceOptions) -> [any Service] {
        let time = host.time
        var services: [any Service] = [
            OutboxService(dispatcher: host.dispatcher, drainTimeout: options.drainTimeout),
            EventService(server: self),
            TimersService(timers: TimerService(host: host, lease: options.timerLease)),
            ReloadService(
                library: library, fileChecks: Every(options.reloadInterval, on: time), followChecks: Every(1, on: time),
                shared: host.storage.shared),
            PurgeService(
                storage: host.storage, time: time, trigger: Every(options.purgeInterval, on: time), logger: logger),
        ]
        if let shared = host.storage.shared {
            services.append(
                RecoveryService(
                    server: self, shared: shared, trigger: Every(options.recoveryInterval, on: time),
                    staleAfter: 3 * options.recoveryInterval))
        }
        return services
    }
}

/// The service group of a server: its services, then `front` (the Hummingbird application for
/// `serve`, the terminal for `chat`), which is the first to stop; SIGTERM and SIGINT start a
/// graceful shutdown.
public func buildApplication(
    server: RulebotServer, options: ServiceOptions, front: ServiceGroupConfiguration.ServiceConfiguration?,
    signals: [UnixSignal] = [.sigterm, .sigint], logger: Logger
) -> ServiceGroup {
    var services = server.services(options: options).map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }
    if let front { services.append(front) }
    return ServiceGroup(
        configuration: .init(services: services, gracefulShutdownSignals: signals, logger: logger))
}
