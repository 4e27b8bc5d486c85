import Foundation
import Hummingbird
import Logging
import NIOCore
import RuleEngine
import Runtime
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `Benchmarks fake-graph`: a Graph API stand-in in its own process, so answering replies takes
/// no CPU from the server measured. It prints `PORT n` once listening, notes the wall-clock time
/// at which the first reply quoting each inbound message arrived, and hands the notes out in
/// arrival order at `GET /arrivals?from=N`: `{"next": M, "arrivals": {message id: Unix seconds}}`
/// for notes N..<M, so that a poll costs what arrived since the last one, not every note of
/// every earlier run.
enum FakeGraphProcess {
    private struct Notes {
        var order: [(id: String, at: Double)] = []
        var seen: Set<String> = []
    }

    static func run() async throws {
        let notes = Mutex(Notes())
        let router = Router()
        router.post("/v21.0/:phone/messages") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let now = Date().timeIntervalSince1970
            if let body = try? JSONParser.parse(Array(buffer.readableBytesView)),
                let quoted = body["context"]["message_id"].string
            {
                notes.withLock { if $0.seen.insert(quoted).inserted { $0.order.append((quoted, now)) } }
            }
            return Response(
                status: .ok, body: .init(byteBuffer: ByteBuffer(string: #"{"messages":[{"id":"wamid.x"}]}"#)))
        }
        router.get("/arrivals") { request, _ -> Response in
            let from = max(0, request.uri.queryParameters["from"].flatMap { Int($0) } ?? 0)
            let (next, fresh) = notes.withLock { ($0.order.count, Array($0.order.dropFirst(from))) }
            var arrivals: [String: Value] = [:]
            for note in fresh { arrivals[note.id] = .double(note.at) }
            let answer = Value.object(["next": .int(next), "arrivals": .object(arrivals)])
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: answer.jsonText)))
        }
        var logger = Logger(label: "fake-graph")
        logger.logLevel = .error
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                say("PORT \(channel.localAddress?.port ?? 0)")
            }, logger: logger)
        try await app.runService()
    }

    /// Starts the fake as a child process of this executable.
    static func spawn() throws -> FakeGraph {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        process.arguments = ["fake-graph"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { throw BenchmarkError("the fake Graph API exited before listening") }
            line += chunk
        }
        let text = String(decoding: line, as: UTF8.self)
        guard
            let port = text.split(separator: " ").last.flatMap({
                Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
            })
        else { throw BenchmarkError("the fake Graph API said '\(text)'") }
        return FakeGraph(process: process, port: port)
    }
}

/// The running fake, and the arrival notes read from it so far.
final class FakeGraph: Sendable {
    let process: Process
    let port: Int
    private let read = Mutex<(next: Int, arrivals: [String: Double])>((0, [:]))

    init(process: Process, port: Int) {
        self.process = process
        self.port = port
    }

    /// Arrival times of replies so far (message id → Unix seconds), once every id in `sent` has
    /// its reply or nothing more came for 20 s. Each poll reads only the notes new since the last.
    func waitForReplies(to sent: [String: Double]) async throws -> [String: Double] {
        var lastProgress = Date()
        var lastCount = -1
        while true {
            let from = read.withLock { $0.next }
            let url = try URL(string: "http://127.0.0.1:\(port)/arrivals?from=\(from)").orThrow()
            let (data, _) = try await URLSession.shared.data(from: url)
            let answer = try JSONParser.parse(Array(data))
            guard case .object(let fresh) = answer["arrivals"], let next = answer["next"].number else {
                throw BenchmarkError("the fake Graph API answered /arrivals with something else")
            }
            let arrivals = read.withLock { read -> [String: Double] in
                read.next = Int(next)
                for (id, at) in fresh { read.arrivals[id] = at.number }
                return read.arrivals
            }
            let count = sent.keys.count { arrivals[$0] != nil }
            if count == sent.count || Date().timeIntervalSince(lastProgress) >= 20 { return arrivals }
            if count != lastCount {
                lastCount = count
                lastProgress = Date()
            }
            try await Task.sleep(for: .milliseconds(250))
        }
    }
}
