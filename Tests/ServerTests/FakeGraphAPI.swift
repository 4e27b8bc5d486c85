import Foundation
import Hummingbird
import Logging
import NIOCore
import RuleEngine
import Synchronization

/// A stand-in for the Graph API: records every request body and answers like Meta does on success.
final class FakeGraphAPI: Sendable {
    struct Received: Sendable {
        var path: String
        var authorization: String?
        var body: Value
        /// When it arrived.
        var at = Date()
    }

    private let received = Mutex<[Received]>([])
    private let app = FakeApp()

    /// Starts listening on a free loopback port; returns the port.
    func start() async throws -> Int {
        let router = Router()
        router.post("/v21.0/:phone/messages") { request, context -> Response in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let body = (try? JSONDecoder().decode(Value.self, from: Data(buffer.readableBytesView))) ?? .null
            self.received.withLock {
                $0.append(Received(path: request.uri.path, authorization: request.headers[.authorization], body: body))
            }
            let count = self.received.withLock { $0.count }
            // A text asking for it is refused as Meta refuses an undeliverable message (131026).
            if body["text"]["body"].string?.contains("FAIL-131026") == true {
                let error =
                    #"{"error":{"message":"(#131026) Message undeliverable","type":"OAuthException","code":131026,"fbtrace_id":"A"}}"#
                return Response(
                    status: .badRequest, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: error)))
            }
            let reply =
                #"{"messaging_product":"whatsapp","contacts":[{"input":"1","wa_id":"1"}],"messages":[{"id":"wamid.fake.\#(count)"}]}"#
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: reply)))
        }
        return try await app.start(router, port: 0, label: "fake-graph")
    }

    func stop() {
        app.stop()
    }

    /// Requests received so far.
    var requests: [Received] { received.withLock { $0 } }

    /// The text bodies sent so far (read receipts left out).
    var texts: [String] {
        requests.compactMap { $0.body["text"]["body"].string }
    }

    /// Waits until `condition` holds for the received requests, or fails after `seconds`.
    func wait(seconds: Double = 20, for description: String, _ condition: ([Received]) -> Bool) async throws {
        guard try await poll(seconds: seconds, every: .milliseconds(25), { condition(requests) ? true : nil }) != nil
        else { throw FakeError("timed out waiting for \(description); received texts: \(texts)") }
    }
}

struct FakeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
