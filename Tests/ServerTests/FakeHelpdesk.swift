import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RuleEngine
import Runtime
import Synchronization

/// A helpdesk API over real HTTP for end-to-end tests: `POST /tickets` answers from a script
/// (a status, or a delay past the caller's timeout), numbering tickets from 4711, and records
/// every request with its headers.
final class FakeHelpdesk: Sendable {
    struct Received: Sendable {
        var idempotencyKey: String?
        var authorization: String?
        var body: Value
    }

    /// What the next requests get, in order; after the script, 201 with a new ticket.
    enum Answer: Sendable {
        case status(Int)
        case delay(seconds: Double)
    }

    private let received = Mutex<[Received]>([])
    private let script: Mutex<[Answer]>
    private let portBox = Mutex<Int?>(nil)
    private let task = Mutex<Task<Void, any Error>?>(nil)

    init(script: [Answer] = []) {
        self.script = Mutex(script)
    }

    /// Starts listening on `port` (0: any free one); returns the port.
    func start(port: Int = 0) async throws -> Int {
        let router = Router()
        router.post("/tickets") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let body = (try? JSONParser.parse(Array(buffer.readableBytesView))) ?? .null
            let number = self.received.withLock { received in
                received.append(
                    Received(
                        idempotencyKey: HTTPField.Name("Idempotency-Key").flatMap { request.headers[$0] },
                        authorization: request.headers[.authorization], body: body))
                return 4710 + received.count
            }
            switch self.script.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
            case .status(let status)?:
                return Response(status: .init(code: status), body: .init(byteBuffer: ByteBuffer(string: "{}")))
            case .delay(let seconds)?:
                try await Task.sleep(for: .seconds(seconds))
            case nil:
                break
            }
            return Response(
                status: .created, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"id": \#(number)}"#)))
        }
        var logger = Logger(label: "fake-helpdesk")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in self.portBox.withLock { $0 = channel.localAddress?.port } }, logger: logger)
        task.withLock { $0 = Task { try await app.runService() } }
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let port = portBox.withLock({ $0 }) { return port }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw FakeError("the fake helpdesk did not start")
    }

    func stop() {
        task.withLock { $0?.cancel() }
    }

    /// Requests received so far.
    var requests: [Received] { received.withLock { $0 } }
}
