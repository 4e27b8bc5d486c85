import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A closed-loop HTTP/1.1 load generator in the manner of wrk: one thread drives every
/// keep-alive connection with `poll(2)`, and each request's bytes are built before the clock
/// starts. A thread per connection, or URLSession (libcurl), spent more CPU than the server it
/// measured on the same two cores, and their scheduling delays were counted as the server's.
final class LoadGenerator: @unchecked Sendable {
    /// One request to send: its bytes, and a name to report its timing under.
    struct Request {
        let id: String
        let bytes: [UInt8]

        /// A POST of `body` to `path` on 127.0.0.1 with `headers`.
        init(id: String, path: String, body: String, headers: [(String, String)]) {
            var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            head += "Content-Length: \(body.utf8.count)\r\n\r\n"
            self.id = id
            self.bytes = Array((head + body).utf8)
        }
    }

    /// One request's outcome: when it was written and answered (Unix seconds), and the status.
    struct Outcome {
        let id: String
        let sent: Double
        let answered: Double
        let status: Int
    }

    /// Open for the generator's lifetime, so that later runs do not time connection set-up.
    private let open: [Connection]

    /// Opens `connections` keep-alive connections to 127.0.0.1:`port`.
    init(port: Int, connections: Int) throws {
        open = try (0..<connections).map { _ in Connection(descriptor: try Self.connect(port: port)) }
    }

    /// Sends every request, one connection per request in flight (each connection sends its next
    /// request when the last one was answered), on a thread of its own; returns the outcomes in
    /// answer order. Runs must not overlap.
    func run(_ requests: [Request]) async throws -> [Outcome] {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try self.drive(requests) })
            }
        }
    }

    private final class Connection {
        let descriptor: Int32
        var request: Int?
        var sent = 0.0
        var written = 0
        var received: [UInt8] = []

        init(descriptor: Int32) { self.descriptor = descriptor }
        deinit { close(descriptor) }
    }

    private func drive(_ requests: [Request]) throws -> [Outcome] {
        var next = 0
        var outcomes: [Outcome] = []
        outcomes.reserveCapacity(requests.count)
        func start(_ connection: Connection) throws {
            guard next < requests.count else {
                connection.request = nil
                return
            }
            connection.request = next
            connection.written = 0
            connection.sent = Date().timeIntervalSince1970
            next += 1
            try write(connection, requests)
        }
        for connection in open { try start(connection) }
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let busy = open.filter { $0.request != nil }
            if busy.isEmpty { return outcomes }
            var polled = busy.map { connection in
                let bytes = requests[connection.request ?? 0].bytes.count
                let events = connection.written < bytes ? POLLIN | POLLOUT : POLLIN
                return pollfd(fd: connection.descriptor, events: Int16(events), revents: 0)
            }
            let ready = poll(&polled, nfds_t(polled.count), 10_000)
            guard ready >= 0 else { throw Self.failure("poll") }
            guard ready > 0 else { throw BenchmarkError("no answer for 10 s") }
            for (connection, result) in zip(busy, polled) where result.revents != 0 {
                if Int32(result.revents) & Int32(POLLOUT) != 0 { try write(connection, requests) }
                guard Int32(result.revents) & Int32(POLLIN | POLLERR | POLLHUP) != 0 else { continue }
                let read = chunk.withUnsafeMutableBytes { recv(connection.descriptor, $0.baseAddress, $0.count, 0) }
                guard read > 0 else { throw BenchmarkError("the server closed a connection") }
                connection.received += chunk[..<read]
                guard let status = Self.takeResponse(from: &connection.received) else { continue }
                let answered = Date().timeIntervalSince1970
                outcomes.append(
                    Outcome(
                        id: requests[connection.request ?? 0].id, sent: connection.sent, answered: answered,
                        status: status))
                try start(connection)
            }
        }
    }

    private func write(_ connection: Connection, _ requests: [Request]) throws {
        let bytes = requests[connection.request ?? 0].bytes
        while connection.written < bytes.count {
            let written = bytes[connection.written...].withUnsafeBytes {
                send(connection.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if written < 0 && errno == EAGAIN { return }
            guard written > 0 else { throw Self.failure("send") }
            connection.written += written
        }
    }

    /// Removes one whole response from the front of `buffer` and returns its status, or returns
    /// nil and leaves `buffer` alone while the response is still incomplete.
    static func takeResponse(from buffer: inout [UInt8]) -> Int? {
        guard let end = buffer.firstRange(of: Array("\r\n\r\n".utf8)) else { return nil }
        let lines = String(decoding: buffer[..<end.lowerBound], as: UTF8.self).split(separator: "\r\n")
        let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        let length =
            lines.lazy.compactMap { line -> Int? in
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                return Int(parts[1].trimmingCharacters(in: .whitespaces))
            }.first ?? 0
        guard buffer.count >= end.upperBound + length else { return nil }
        buffer.removeFirst(end.upperBound + length)
        return status
    }

    /// A non-blocking TCP connection to 127.0.0.1:`port` with Nagle off.
    private static func connect(port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw failure("socket") }
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0, fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) == 0 else {
            let error = failure("connect")
            close(descriptor)
            throw error
        }
        return descriptor
    }

    private static func failure(_ call: String) -> BenchmarkError {
        BenchmarkError("\(call): \(String(cString: strerror(errno)))")
    }
}
