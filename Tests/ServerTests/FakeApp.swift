import Foundation
import Hummingbird
import Logging
import Synchronization

/// Runs a fake service's router on loopback until stopped: what the fake Graph API and the
/// fake helpdesk share.
final class FakeApp: Sendable {
    private let portBox = Mutex<Int?>(nil)
    private let task = Mutex<Task<Void, any Error>?>(nil)

    /// Starts `router` on `port` (0: any free one) and returns the port it listens on.
    func start<Context: RequestContext>(_ router: Router<Context>, port: Int = 0, label: String) async throws -> Int
    where Context.Source == ApplicationRequestContextSource {
        var logger = Logger(label: label)
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in self.portBox.withLock { $0 = channel.localAddress?.port } }, logger: logger)
        task.withLock { $0 = Task { try await app.runService() } }
        guard let bound = try await poll(seconds: 20, { portBox.withLock { $0 } }) else {
            throw FakeError("\(label) did not start")
        }
        return bound
    }

    func stop() {
        task.withLock { $0?.cancel() }
    }
}
