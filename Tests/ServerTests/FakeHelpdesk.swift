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
    private let app = FakeApp()

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
        return try await app.start(router, port: port, label: "fake-helpdesk")
    }

    func stop() {
        app.stop()
    }

    /// Requests received so far.
    var requests: [Received] { received.withLock { $0 } }
}
