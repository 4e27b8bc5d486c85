import CHiredis
import Foundation
import Synchronization

/// A Redis reply.
enum RedisReply: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case array([RedisReply])
    case null
    case status(String)
    case error(String)

    var string: String? {
        switch self {
        case .string(let s), .status(let s): s
        case .integer(let i): String(i)
        default: nil
        }
    }

    var array: [RedisReply] {
        if case .array(let items) = self { return items }
        return []
    }
}

/// One blocking hiredis connection. Not thread-safe: `RedisPool` gives each its own queue.
final class RedisConnection: @unchecked Sendable {
    private var context: UnsafeMutablePointer<redisContext>?
    let endpoint: RedisEndpoint

    init(_ endpoint: RedisEndpoint) throws {
        self.endpoint = endpoint
        try connect()
    }

    deinit {
        if let context { redisFree(context) }
    }

    private func connect() throws {
        if let context { redisFree(context) }
        context = nil
        let timeout = timeval(tv_sec: 5, tv_usec: 0)
        guard let connected = redisConnectWithTimeout(endpoint.host, Int32(endpoint.port), timeout) else {
            throw RuntimeError.storage("cannot reach Redis at \(endpoint.host):\(endpoint.port)")
        }
        if connected.pointee.err != 0 {
            let message = Self.errorText(connected)
            redisFree(connected)
            throw RuntimeError.storage("cannot connect to Redis at \(endpoint.host):\(endpoint.port): \(message)")
        }
        context = connected
        if let password = endpoint.password {
            if case .error(let message) = try send([["AUTH", password]])[0] {
                throw RuntimeError.storage("Redis AUTH failed: \(message)")
            }
        }
        if endpoint.database != 0 {
            if case .error(let message) = try send([["SELECT", String(endpoint.database)]])[0] {
                throw RuntimeError.storage("Redis SELECT failed: \(message)")
            }
        }
    }

    /// Sends one command; reconnects once if the connection broke.
    func command(_ arguments: [String]) throws -> RedisReply {
        try pipeline([arguments])[0]
    }

    /// Sends `commands` in one write and reads their replies in order: one round trip for all.
    /// Reconnects once if the connection broke.
    func pipeline(_ commands: [[String]]) throws -> [RedisReply] {
        do {
            return try send(commands)
        } catch {
            try connect()
            return try send(commands)
        }
    }

    private func send(_ commands: [[String]]) throws -> [RedisReply] {
        guard let context else { throw RuntimeError.storage("Redis connection closed") }
        for arguments in commands {
            let cStrings = arguments.map { strdup($0) }
            defer { cStrings.forEach { free($0) } }
            var pointers = cStrings.map { UnsafePointer<CChar>($0) }
            var lengths = arguments.map { $0.utf8.count }
            guard redisAppendCommandArgv(context, Int32(arguments.count), &pointers, &lengths) == REDIS_OK else {
                throw RuntimeError.storage("Redis command failed: \(Self.errorText(context))")
            }
        }
        var replies: [RedisReply] = []
        replies.reserveCapacity(commands.count)
        for _ in commands {
            var raw: UnsafeMutableRawPointer?
            guard redisGetReply(context, &raw) == REDIS_OK, let raw else {
                throw RuntimeError.storage("Redis command failed: \(Self.errorText(context))")
            }
            defer { freeReplyObject(raw) }
            replies.append(Self.convert(raw.assumingMemoryBound(to: redisReply.self)))
        }
        return replies
    }

    private static func convert(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING: return .string(text(r))
        case REDIS_REPLY_STATUS: return .status(text(r))
        case REDIS_REPLY_ERROR: return .error(text(r))
        case REDIS_REPLY_INTEGER: return .integer(Int(r.integer))
        case REDIS_REPLY_ARRAY:
            var items: [RedisReply] = []
            for i in 0..<Int(r.elements) {
                if let element = r.element[i] { items.append(convert(element)) }
            }
            return .array(items)
        default: return .null
        }
    }

    private static func text(_ r: redisReply) -> String {
        guard let pointer = r.str else { return "" }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: r.len) {
            String(decoding: UnsafeBufferPointer(start: $0, count: r.len), as: UTF8.self)
        }
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

/// Where Redis is: parsed from `redis://[:password@]host[:port][/db][?prefix=name:]`.
struct RedisEndpoint: Sendable, Equatable {
    var host = "127.0.0.1"
    var port = 6379
    var password: String?
    var database = 0
    var prefix = "rulebot:"

    init(url: String) throws {
        guard let components = URLComponents(string: url), components.scheme == "redis" else {
            throw RuntimeError.storage("'\(url)' is not a redis:// URL")
        }
        host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? host
        port = components.port ?? port
        password = components.password
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        if !path.isEmpty {
            guard let db = Int(path) else {
                throw RuntimeError.storage("'\(path)' in '\(url)' is not a database number")
            }
            database = db
        }
        if let prefix = components.queryItems?.first(where: { $0.name == "prefix" })?.value { self.prefix = prefix }
    }
}

/// A few connections, each used from its own serial queue so blocking hiredis calls stay off
/// Swift's cooperative threads. Requests that arrive while a connection is busy are pipelined
/// together into its next round trip, so concurrent events share round trips instead of queueing
/// for them.
final class RedisPool: Sendable {
    private final class Lane: Sendable {
        typealias Waiting = (commands: [[String]], continuation: CheckedContinuation<[RedisReply], any Error>?)

        let connection: RedisConnection
        let queue: DispatchQueue
        let waiting = Mutex<(requests: [Waiting], draining: Bool)>(([], false))

        init(_ connection: RedisConnection, _ queue: DispatchQueue) {
            self.connection = connection
            self.queue = queue
        }

        /// Sends everything waiting, in one pipeline per turn, until nothing is left; runs on `queue`.
        func drain(counts: RedisCounts) {
            while true {
                let batch = waiting.withLock { waiting -> [Waiting] in
                    if waiting.requests.isEmpty {
                        waiting.draining = false
                        return []
                    }
                    defer { waiting.requests.removeAll(keepingCapacity: true) }
                    return waiting.requests
                }
                if batch.isEmpty { return }
                counts.flushes.add(1, ordering: .relaxed)
                do {
                    var replies = try connection.pipeline(batch.flatMap(\.commands))[...]
                    for request in batch {
                        request.continuation?.resume(returning: Array(replies.prefix(request.commands.count)))
                        replies = replies.dropFirst(request.commands.count)
                    }
                } catch {
                    for request in batch { request.continuation?.resume(throwing: error) }
                }
            }
        }
    }

    private let lanes: [Lane]
    private let next = Mutex(0)
    private let counts = RedisCounts()

    init(_ endpoint: RedisEndpoint, size: Int = 4) throws {
        lanes = try (0..<size).map { i in
            Lane(try RedisConnection(endpoint), DispatchQueue(label: "rulebot.redis.\(i)"))
        }
    }

    /// Exchanges with Redis so far (each `run` is one, however many commands it sends).
    var exchanges: Int { counts.exchanges.load(ordering: .relaxed) }
    /// Network round trips so far (pipelining lets several exchanges share one).
    var flushes: Int { counts.flushes.load(ordering: .relaxed) }

    /// Runs `commands` on one connection, in order and pipelined, and returns their replies.
    func run(_ commands: [[String]]) async throws -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        counts.exchanges.add(1, ordering: .relaxed)
        let lane = lanes[
            next.withLock { value -> Int in
                defer { value = (value + 1) % lanes.count }
                return value
            }]
        return try await withCheckedThrowingContinuation { continuation in
            enqueue((commands, continuation), on: lane)
        }
    }

    /// Sends `commands` without waiting for their replies, from any thread: for work that must go
    /// out even while Swift's cooperative threads are all busy (a lock's renewal).
    func send(_ commands: [[String]]) {
        let lane = lanes[
            next.withLock { value -> Int in
                defer { value = (value + 1) % lanes.count }
                return value
            }]
        enqueue((commands, nil), on: lane)
    }

    private func enqueue(_ request: Lane.Waiting, on lane: Lane) {
        let startDrain = lane.waiting.withLock { waiting in
            waiting.requests.append(request)
            if waiting.draining { return false }
            waiting.draining = true
            return true
        }
        if startDrain { lane.queue.async { [counts] in lane.drain(counts: counts) } }
    }

    /// Runs one command; a Redis error reply is thrown.
    func command(_ arguments: String...) async throws -> RedisReply {
        try await commandArray(arguments)
    }

    func commandArray(_ arguments: [String]) async throws -> RedisReply {
        let reply = try await run([arguments])[0]
        if case .error(let message) = reply { throw RuntimeError.storage("Redis: \(message)") }
        return reply
    }
}

/// Request/reply exchanges callers waited for (one per `RedisPool.run`) and network round trips.
final class RedisCounts: Sendable {
    let exchanges = Atomic<Int>(0)
    let flushes = Atomic<Int>(0)
}
