import Foundation
import Hummingbird
import Logging
import NIOCore
import Runtime
import Synchronization
import Testing

@testable import Server

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Sends to the Graph API and calls keep their connections while concurrency rises and falls:
/// through one URLSession, libcurl closed idle connections whenever fewer requests were in
/// flight, and the next burst opened new ones (in production, each a new TLS handshake).
struct SessionLanesTests {
    /// Names the client port of each request's connection.
    struct PeerContext: RequestContext {
        var coreContext: CoreRequestContextStorage
        let peerPort: Int?

        init(source: ApplicationRequestContextSource) {
            coreContext = .init(source: source)
            peerPort = source.channel.remoteAddress?.port
        }
    }

    /// A server answering every POST like the Graph API, counting requests per client port.
    final class PeerCounter: Sendable {
        let app = FakeApp()
        private let peers = Mutex<[Int: Int]>([:])

        func start() async throws -> Int {
            let router = Router(context: PeerContext.self)
            router.post("**") { request, context -> Response in
                _ = try await request.body.collect(upTo: 1 << 20)
                if let port = context.peerPort { self.peers.withLock { $0[port, default: 0] += 1 } }
                return Response(
                    status: .ok, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: #"{"messages":[{"id":"wamid.x"}]}"#)))
            }
            return try await app.start(router, label: "peers")
        }

        /// Requests per connection so far.
        var connections: [Int: Int] { peers.withLock { $0 } }
    }

    /// Twenty rounds of sixteen requests at once, each followed by one alone: every fall to one
    /// request in flight is when a single session dropped the idle connections past its cache.
    func bursts(_ request: @escaping @Sendable (String) async -> Bool) async -> [Bool] {
        var results: [Bool] = []
        for round in 0..<20 {
            results += await withTaskGroup(of: Bool.self) { group in
                for index in 0..<16 { group.addTask { await request("\(round).\(index)") } }
                return await group.reduce(into: []) { $0.append($1) }
            }
            results.append(await request("\(round).alone"))
        }
        return results
    }

    @Test func graphAPISendsReuseTheirConnectionsAfterQuietMoments() async throws {
        let server = PeerCounter()
        let port = try await server.start()
        defer { server.app.stop() }
        let sender = GraphAPISender(
            baseURL: try #require(URL(string: "http://127.0.0.1:\(port)/v21.0")), token: "t",
            defaultPhoneNumberID: "410000000000001", connections: 16, logger: Logger(label: "test"))
        let results = await bursts { id in
            let message = OutboundMessage(id: id, bot: "b", to: "14155550123", body: .text("hi"), createdAt: 0)
            if case .sent = await sender.send(message) { return true }
            return false
        }
        #expect(results.count == 340 && results.allSatisfy { $0 })
        let connections = server.connections
        #expect(connections.values.reduce(0, +) == 340)
        #expect(connections.count <= 16, "340 requests came over \(connections.count) connections")
    }

    @Test func callsReuseTheirConnectionsAfterQuietMoments() async throws {
        let server = PeerCounter()
        let port = try await server.start()
        defer { server.app.stop() }
        let performer = URLSessionPerformer()
        let results = await bursts { id in
            let request = HTTPRequestSpec(
                url: "http://127.0.0.1:\(port)/tickets", method: "POST", headers: ["Idempotency-Key": id],
                body: Array("{}".utf8), timeout: 10, allowPrivate: true)
            if case .response(let status, _, _) = await performer.perform(request, name: "ticket") {
                return status == 200
            }
            return false
        }
        #expect(results.count == 340 && results.allSatisfy { $0 })
        let connections = server.connections
        #expect(connections.values.reduce(0, +) == 340)
        #expect(connections.count <= 16, "340 calls came over \(connections.count) connections")
    }

    @Test func theLeastBusyLaneIsTakenFirstAmongEquals() async {
        let lanes = SessionLanes(connections: 10, perSession: 4) { $0.httpMaximumConnectionsPerHost }
        #expect(lanes.count == 3)
        #expect(await lanes.withLane { $0 } == 4, "each session allows perSession connections per host")
        #expect((0..<7).map { _ in lanes.take() } == [0, 1, 2, 0, 1, 2, 0])
    }
}
