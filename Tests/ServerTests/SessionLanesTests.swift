import Foundation
import Hummingbird
import Logging
import NIOCore
import Runtime
import Synchronization
import Testing

@testable import Server

/// Sends to the Graph API keep their connections while concurrency rises and falls: through
/// one URLSession, libcurl closed idle connections whenever fewer requests were in flight, and
/// the next burst opened new ones (with Meta, each a new TLS handshake).
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

    func message(_ id: String) -> OutboundMessage {
        OutboundMessage(id: id, bot: "b", to: "14155550123", body: .text("hi"), createdAt: 0)
    }

    @Test func burstsAfterQuietMomentsReuseTheirConnections() async throws {
        let peers = Mutex<[Int: Int]>([:])
        let router = Router(context: PeerContext.self)
        router.post("/v21.0/:phone/messages") { request, context -> Response in
            _ = try await request.body.collect(upTo: 1 << 20)
            if let port = context.peerPort { peers.withLock { $0[port, default: 0] += 1 } }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"messages":[{"id":"wamid.x"}]}"#)))
        }
        let app = FakeApp()
        let port = try await app.start(router, label: "peers")
        defer { app.stop() }
        let sender = GraphAPISender(
            baseURL: try #require(URL(string: "http://127.0.0.1:\(port)/v21.0")), token: "t",
            defaultPhoneNumberID: "410000000000001", connections: 16, logger: Logger(label: "test"))
        // Sixteen sends at once, then one alone: each fall to one request in flight is when a
        // single session dropped the idle connections past its cache.
        var outcomes: [SendOutcome] = []
        for round in 0..<20 {
            outcomes += await withTaskGroup(of: SendOutcome.self) { group in
                for index in 0..<16 { group.addTask { await sender.send(message("m\(round).\(index)")) } }
                return await group.reduce(into: []) { $0.append($1) }
            }
            outcomes.append(await sender.send(message("m\(round).alone")))
        }
        #expect(outcomes.count == 340)
        #expect(outcomes.allSatisfy { if case .sent = $0 { true } else { false } })
        let connections = peers.withLock { $0 }
        #expect(connections.values.reduce(0, +) == 340)
        #expect(connections.count <= 16, "340 requests came over \(connections.count) connections")
    }

    @Test func theLeastBusyLaneIsTakenFirstAmongEquals() {
        let lanes = SessionLanes(connections: 10, perSession: 4, timeout: 1)
        #expect(lanes.count == 3)
        #expect((0..<7).map { _ in lanes.take() } == [0, 1, 2, 0, 1, 2, 0])
    }
}
