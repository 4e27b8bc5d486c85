import Foundation
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Several URLSessions, none given more than `perSession` requests at a time, so that the
/// connections they open stay open.
///
/// Under URLSession on Linux, libcurl keeps at most four idle connections per request in flight
/// at that moment, and URLSession has no setting for it. Sending through one session, every
/// fall in concurrency closed connections and the next rise opened new ones: at 16 concurrent
/// sends to one host, about one request in eight paid a new connection (with Meta, a new TLS
/// handshake). A session never asked for more than four connections keeps all of them.
final class SessionLanes: Sendable {
    private let sessions: [URLSession]
    private let busy: Mutex<[Int]>

    /// Lanes enough for `connections` requests at once, `perSession` per session.
    init(connections: Int, perSession: Int = 4, timeout: Double) {
        let perSession = max(1, perSession)
        let count = max(1, (connections + perSession - 1) / perSession)
        sessions = (0..<count).map { _ in
            let configuration = URLSessionConfiguration.ephemeral
            configuration.timeoutIntervalForRequest = timeout
            configuration.httpMaximumConnectionsPerHost = perSession
            return URLSession(configuration: configuration)
        }
        busy = Mutex([Int](repeating: 0, count: count))
    }

    /// How many sessions there are.
    var count: Int { sessions.count }

    /// Makes the request on the least busy session.
    func data(for request: URLRequest) async throws -> (Data, URLResponse) {
        let lane = take()
        defer { busy.withLock { $0[lane] -= 1 } }
        return try await sessions[lane].data(for: request)
    }

    /// The least busy lane, the first of equals, counted busy with one more request.
    func take() -> Int {
        busy.withLock { busy in
            var lane = 0
            for index in busy.indices where busy[index] < busy[lane] { lane = index }
            busy[lane] += 1
            return lane
        }
    }
}
