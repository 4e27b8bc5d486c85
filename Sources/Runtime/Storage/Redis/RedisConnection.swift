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

    /// The reply itself, or, for an error reply, the error thrown.
    @discardableResult
    func checked() throws -> RedisReply {
        if case .error(let message) = self { throw RuntimeError.storage("Redis: \(message)") }
        return self
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

/// Where Redis is: parsed from `redis://[:password@]host[:port][/db][?prefix=name:&partitions=N]`.
struct RedisEndpoint: Sendable, Equatable {
    var host = "127.0.0.1"
    var port = 6379
    var password: String?
    var database = 0
    var prefix = "rulebot:"
    var partitions = 1

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
        let items = components.queryItems ?? []
        if let prefix = items.first(where: { $0.name == "prefix" })?.value {
            guard !prefix.contains("{"), !prefix.contains("}") else {
                throw RuntimeError.storage(
                    "the Redis key prefix '\(prefix)' may not contain { or }: RuleBot's keys carry their hash tag there"
                )
            }
            self.prefix = prefix
        }
        if let value = items.first(where: { $0.name == "partitions" })?.value {
            guard let count = Int(value), (1...RedisKeys.maximumPartitions).contains(count) else {
                throw RuntimeError.storage(
                    "partitions=\(value) in the Redis URL is not a whole number from 1 to \(RedisKeys.maximumPartitions)"
                )
            }
            partitions = count
        }
    }
}

/// Request/reply exchanges callers waited for (one per `RedisPool.run`) and network round trips.
final class RedisCounts: Sendable {
    let exchanges = Atomic<Int>(0)
    let flushes = Atomic<Int>(0)
}
