import Foundation
import Hummingbird
import Logging
import Runtime
import Server
import ServiceLifecycle
import Synchronization

/// `rulebot serve`'s services and app on a loopback port, for the benchmarks that send real
/// signed webhooks; replies go to the fake Graph API at `graphPort`.
struct ServedBot {
    /// Where to POST webhooks.
    let webhook: URL
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    /// Serves `bot` on `storage` with the send-rate limit lifted, so that the engine is measured.
    static func start(
        bot: String, storage: any BotStorage, graphPort: Int, traces: TraceSettings = TraceSettings(), logger: Logger
    ) async throws -> ServedBot {
        var configuration = ServerConfiguration()
        configuration.traces = traces
        configuration.appSecret = "bench-secret"
        configuration.sendRate = 100_000
        let graph = try URL(string: "http://127.0.0.1:\(graphPort)/v21.0").orThrow()
        let server = try RulebotServer(
            configuration: configuration, files: [bot], registry: .builtIn, storage: storage,
            sender: GraphAPISender(baseURL: graph, token: "t", defaultPhoneNumberID: "111", logger: logger),
            time: SystemTime(), logger: logger)
        let port = Mutex<Int?>(nil)
        let app = Application(
            router: server.buildRouter(), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } }, logger: logger)
        let group = buildApplication(
            server: server, options: ServiceOptions(), front: .init(service: app), signals: [], logger: logger)
        let running = Task { try await group.run() }
        var appPort: Int?
        for _ in 0..<500 where appPort == nil {
            appPort = port.withLock { $0 }
            try await Task.sleep(for: .milliseconds(10))
        }
        let webhook = try URL(string: "http://127.0.0.1:\(try appPort.orThrow())/webhook").orThrow()
        return ServedBot(webhook: webhook, group: group, running: running)
    }

    /// Shuts the services down and waits for them.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await running.value
    }
}
