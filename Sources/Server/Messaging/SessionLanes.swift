import Foundation
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Several URLSessions, each allowed `perSession` connections to a host, with every request
/// going to the least busy one, so that the connections they open stay open. `Lane` is what
/// each one needs: the session, and for calls its delegate (task ids are per session, so each
/// session has its own).
///
/// Under URLSession on Linux, libcurl keeps at most four idle connections per request in flight
/// at that moment, and URLSession has no setting for it. Sending through one session, every
/// fall in concurrency closed connections and the next rise opened new ones: 340 sends in
/// bursts of 16 came over 97 connections, each new one a TLS handshake in production. A session
/// never asked for more than four connections to a host keeps all of them.
final class SessionLanes<Lane: Sendable>: Sendable {
    private let lanes: [Lane]
    private let busy: Mutex<[Int]>

    /// Lanes enough for `connections` requests at once, `perSession` per session; `make` builds
    /// each lane from a fresh ephemeral configuration allowing `perSession` connections per host.
    init(connections: Int, perSession: Int = 4, make: (URLSessionConfiguration) -> Lane) {
        let perSession = max(1, perSession)
        let count = max(1, (connections + perSession - 1) / perSession)
        lanes = (0..<count).map { _ in
            let configuration = URLSessionConfiguration.ephemeral
            configuration.httpMaximumConnectionsPerHost = perSession
            return make(configuration)
        }
        busy = Mutex([Int](repeating: 0, count: count))
    }

    /// How many lanes there are.
    var count: Int { lanes.count }

    /// Runs `body` with the least busy lane, counted busy until `body` returns.
    func withLane<T>(_ body: (Lane) async throws -> T) async rethrows -> T {
        let index = take()
        defer { busy.withLock { $0[index] -= 1 } }
        return try await body(lanes[index])
    }

    /// The least busy lane's index, the first of equals, counted busy with one more request.
    func take() -> Int {
        busy.withLock { busy in
            var lane = 0
            for index in busy.indices where busy[index] < busy[lane] { lane = index }
            busy[lane] += 1
            return lane
        }
    }
}
