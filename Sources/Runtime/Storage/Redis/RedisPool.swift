import Foundation
import Synchronization

/// Connections to one Redis, or to every primary of a Redis Cluster.
///
/// Each server gets a few connections, each used from its own serial queue so blocking hiredis
/// calls stay off Swift's cooperative threads. Requests that arrive while a connection is busy
/// are pipelined together into its next round trip, so concurrent events share round trips
/// instead of queueing for them.
///
/// On a cluster (found at start-up by `CLUSTER SLOTS`), each command goes to the primary that
/// owns its key's slot; an exchange whose commands live on several primaries goes to each at
/// once. A reply saying the slot moved (`MOVED`) reloads the slot map and sends the command
/// again; one saying it is moving (`ASK`) sends it to the new owner once; `TRYAGAIN` waits a
/// moment and retries.
final class RedisPool: Sendable {
    /// One server's connections.
    private final class Node: Sendable {
        let lanes: [RedisLane]
        private let next = Mutex(0)

        init(_ endpoint: RedisEndpoint, size: Int) throws {
            lanes = try (0..<size).map { index in
                RedisLane(
                    try RedisConnection(endpoint),
                    DispatchQueue(label: "rulebot.redis.\(endpoint.host):\(endpoint.port).\(index)"))
            }
        }

        /// The next connection, in turn.
        func lane() -> RedisLane {
            lanes[
                next.withLock { value -> Int in
                    defer { value = (value + 1) % lanes.count }
                    return value
                }]
        }
    }

    private struct State {
        var nodes: [String: Node]
        /// The address (`host:port`) owning each slot; nil for a single server.
        var slots: [String]?
    }

    private let seed: RedisEndpoint
    private let seedAddress: String
    /// The connections to the server named in the URL.
    private let seedNode: Node
    private let size: Int
    private let state: Mutex<State>
    private let counts = RedisCounts()
    /// Whether this is a Redis Cluster.
    let isCluster: Bool

    init(_ endpoint: RedisEndpoint, size: Int = 4) throws {
        seed = endpoint
        seedAddress = "\(endpoint.host):\(endpoint.port)"
        self.size = size
        seedNode = try Node(endpoint, size: size)
        let slots = Self.slotTable(
            try seedNode.lanes[0].connection.command(["CLUSTER", "SLOTS"]), seedHost: endpoint.host)
        isCluster = slots != nil
        state = Mutex(State(nodes: [seedAddress: seedNode], slots: slots))
    }

    /// The addresses of the servers holding data: every primary of a cluster, or the one server.
    var primaries: [String] {
        state.withLock { state in state.slots.map { Array(Set($0)).sorted() } ?? [seedAddress] }
    }

    /// Exchanges with Redis so far (each `run` is one, however many commands it sends).
    var exchanges: Int { counts.exchanges.load(ordering: .relaxed) }
    /// Network round trips so far (pipelining lets several exchanges share one).
    var flushes: Int { counts.flushes.load(ordering: .relaxed) }

    // MARK: Sending

    /// Runs `commands`, each on the server owning its key, in order per server and pipelined,
    /// and returns their replies in the order of `commands`.
    func run(_ commands: [[String]]) async throws -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        counts.exchanges.add(1, ordering: .relaxed)
        var replies = try await routed(commands)
        guard isCluster else { return replies }
        for attempt in 0..<5 {
            let redirected = replies.indices.compactMap { index in
                Self.redirection(replies[index]).map { (index, $0) }
            }
            guard !redirected.isEmpty else { break }
            if redirected.contains(where: { $0.1.kind == "MOVED" }) { try await reloadSlots() }
            if redirected.contains(where: { $0.1.kind == "TRYAGAIN" }) {
                try await Task.sleep(for: .milliseconds(10 * (attempt + 1)))
            }
            for (index, redirection) in redirected {
                if redirection.kind == "ASK", let address = redirection.address {
                    replies[index] = try await submit([["ASKING"], commands[index]], to: node(address).lane())[1]
                } else {
                    replies[index] = try await routed([commands[index]])[0]
                }
            }
        }
        return replies
    }

    /// Runs `commands` on the server at `address` (one of `primaries`): for `SCAN` and `INFO`,
    /// which answer for one server.
    func run(_ commands: [[String]], on address: String) async throws -> [RedisReply] {
        counts.exchanges.add(1, ordering: .relaxed)
        return try await submit(commands, to: node(address).lane())
    }

    /// Sends `commands` (all on one slot) without waiting for their replies, from any thread:
    /// for work that must go out even while Swift's cooperative threads are all busy (a lock's
    /// renewal).
    func send(_ commands: [[String]]) {
        guard let lane = try? node(address(of: commands[0])).lane() else { return }
        lane.enqueue((commands, nil), counts: counts)
    }

    /// Runs `commands` (all on one slot, or none) on their server, or on `address`, and waits
    /// for the replies on the calling thread: for start-up, before anything else uses the pool.
    func blocking(_ commands: [[String]], on address: String? = nil) throws -> [RedisReply] {
        let lane = try node(address ?? self.address(of: commands[0])).lane()
        return try lane.queue.sync { try lane.connection.pipeline(commands) }
    }

    /// Runs one command; a Redis error reply is thrown.
    func command(_ arguments: String...) async throws -> RedisReply {
        try await commandArray(arguments)
    }

    func commandArray(_ arguments: [String]) async throws -> RedisReply {
        try await run([arguments])[0].checked()
    }

    /// The keys matching `pattern` on every primary (`SCAN`).
    func scan(_ pattern: String) async throws -> [String] {
        var found: [String] = []
        for address in primaries {
            var cursor = "0"
            repeat {
                let page = try Self.scanPage(try await run([Self.scanStep(cursor, pattern)], on: address)[0])
                cursor = page.cursor
                found += page.keys
            } while cursor != "0"
        }
        return found
    }

    /// `scan`, waiting on the calling thread.
    func blockingScan(_ pattern: String) throws -> [String] {
        var found: [String] = []
        for address in primaries {
            var cursor = "0"
            repeat {
                let page = try Self.scanPage(try blocking([Self.scanStep(cursor, pattern)], on: address)[0])
                cursor = page.cursor
                found += page.keys
            } while cursor != "0"
        }
        return found
    }

    /// One `SCAN` step from `cursor`.
    private static func scanStep(_ cursor: String, _ pattern: String) -> [String] {
        ["SCAN", cursor, "MATCH", pattern, "COUNT", "1000"]
    }

    /// A `SCAN` reply's next cursor (`0` when done) and keys; an error reply is thrown.
    private static func scanPage(_ reply: RedisReply) throws -> (cursor: String, keys: [String]) {
        let parts = try reply.checked().array
        guard parts.count == 2 else { return ("0", []) }
        return (parts[0].string ?? "0", parts[1].array.compactMap(\.string))
    }

    /// `blocking` for one command; a Redis error reply is thrown.
    @discardableResult
    func blockingCommand(_ arguments: [String]) throws -> RedisReply {
        try blocking([arguments])[0].checked()
    }

    // MARK: Routing

    /// `commands` sent to their servers, all at once, with the replies put back in order.
    private func routed(_ commands: [[String]]) async throws -> [RedisReply] {
        guard isCluster else { return try await submit(commands, to: seedNode.lane()) }
        var groups: [String: [Int]] = [:]
        for (index, command) in commands.enumerated() { groups[address(of: command), default: []].append(index) }
        if groups.count == 1, let address = groups.keys.first {
            return try await submit(commands, to: node(address).lane())
        }
        var replies = [RedisReply](repeating: .null, count: commands.count)
        try await withThrowingTaskGroup(of: ([Int], [RedisReply]).self) { group in
            for (address, indices) in groups {
                let lane = try node(address).lane()
                let subset = indices.map { commands[$0] }
                group.addTask { (indices, try await self.submit(subset, to: lane)) }
            }
            for try await (indices, answers) in group {
                for (index, answer) in zip(indices, answers) { replies[index] = answer }
            }
        }
        return replies
    }

    private func submit(_ commands: [[String]], to lane: RedisLane) async throws -> [RedisReply] {
        try await withCheckedThrowingContinuation { continuation in
            lane.enqueue((commands, continuation), counts: counts)
        }
    }

    /// The address of the server owning `command`'s key (the seed for keyless commands).
    private func address(of command: [String]) -> String {
        guard isCluster, let key = Self.key(of: command) else { return seedAddress }
        return state.withLock { $0.slots?[RedisSlot.of(key)] } ?? seedAddress
    }

    /// The connections to `address`, opened the first time.
    private func node(_ address: String) throws -> Node {
        if let known = state.withLock({ $0.nodes[address] }) { return known }
        var endpoint = seed
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
            throw RuntimeError.storage("Redis named a server '\(address)' that is not host:port")
        }
        endpoint.host = String(address[..<colon])
        endpoint.port = port
        let opened = try Node(endpoint, size: size)
        return state.withLock { state in
            if let raced = state.nodes[address] { return raced }
            state.nodes[address] = opened
            return opened
        }
    }

    /// Forgets where slots are, sending everything to the server named in the URL until a
    /// redirection teaches the map again: what a cluster's resharding does to a running instance.
    func forgetSlots() {
        state.withLock { state in
            if state.slots != nil { state.slots = [String](repeating: seedAddress, count: RedisSlot.count) }
        }
    }

    /// Reads the slot map again from any server that answers.
    private func reloadSlots() async throws {
        let addresses = state.withLock { Array($0.nodes.keys) }
        for address in [seedAddress] + addresses {
            guard let reply = try? await submit([["CLUSTER", "SLOTS"]], to: node(address).lane())[0],
                let table = Self.slotTable(reply, seedHost: seed.host)
            else { continue }
            state.withLock { $0.slots = table }
            return
        }
        throw RuntimeError.storage("no server of the Redis Cluster answered CLUSTER SLOTS")
    }

    /// The key a command acts on, by which a cluster routes it; nil for commands without one.
    static func key(of command: [String]) -> String? {
        guard let name = command.first?.uppercased() else { return nil }
        switch name {
        case "EVAL", "EVALSHA":
            guard command.count > 3, let count = Int(command[2]), count > 0 else { return nil }
            return command[3]
        case "INFO", "CONFIG", "SCAN", "PING", "CLUSTER", "ASKING", "DBSIZE", "TIME", "AUTH", "SELECT":
            return nil
        default:
            return command.count > 1 ? command[1] : nil
        }
    }

    /// The owner of every slot from a `CLUSTER SLOTS` reply; nil when the server is not in a
    /// cluster (its reply is an error).
    static func slotTable(_ reply: RedisReply, seedHost: String) -> [String]? {
        guard case .array(let ranges) = reply, !ranges.isEmpty else { return nil }
        var table = [String](repeating: "", count: RedisSlot.count)
        for range in ranges {
            let fields = range.array
            guard fields.count >= 3, case .integer(let first) = fields[0], case .integer(let last) = fields[1],
                first >= 0, last < RedisSlot.count, first <= last,
                case .integer(let port) = fields[2].array.count >= 2 ? fields[2].array[1] : .null
            else { continue }
            let host = fields[2].array[0].string.flatMap { $0.isEmpty ? nil : $0 } ?? seedHost
            for slot in first...last { table[slot] = "\(host):\(port)" }
        }
        // A slot no primary serves (the cluster is being set up) is sent to the seed, which says where.
        let fallback = table.first { !$0.isEmpty } ?? "\(seedHost):0"
        return table.map { $0.isEmpty ? fallback : $0 }
    }

    /// A cluster's redirection in an error reply: `MOVED slot host:port`, `ASK slot host:port`,
    /// or `TRYAGAIN`.
    static func redirection(_ reply: RedisReply) -> (kind: String, address: String?)? {
        guard case .error(let message) = reply else { return nil }
        let words = message.split(separator: " ")
        guard let kind = words.first, ["MOVED", "ASK", "TRYAGAIN"].contains(kind) else { return nil }
        return (String(kind), words.count >= 3 ? String(words[2]) : nil)
    }
}
