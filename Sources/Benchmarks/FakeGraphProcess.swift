import Foundation
import Hummingbird
import Logging
import NIOCore
import RuleEngine
import Runtime
import Synchronization

/// `Benchmarks fake-graph`: a Graph API stand-in in its own process, so answering replies takes
/// no CPU from the server measured. It prints `PORT n` once listening, notes the wall-clock time
/// at which the reply quoting each inbound message arrived, and hands the notes out at
/// `GET /arrivals` (message id → Unix seconds).
enum FakeGraphProcess {
    static func run() async throws {
        let arrivals = Mutex<[String: Double]>([:])
        let requests = Atomic<Int>(0)
        let router = Router()
        router.post("/v21.0/:phone/messages") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let now = Date().timeIntervalSince1970
            requests.add(1, ordering: .relaxed)
            if let body = try? JSONParser.parse(Array(buffer.readableBytesView)),
                let quoted = body["context"]["message_id"].string
            {
                arrivals.withLock { if $0[quoted] == nil { $0[quoted] = now } }
            }
            return Response(
                status: .ok, body: .init(byteBuffer: ByteBuffer(string: #"{"messages":[{"id":"wamid.x"}]}"#)))
        }
        router.get("/arrivals") { _, _ -> Response in
            let notes = arrivals.withLock { $0 }
            var object: [String: Value] = [:]
            for (id, at) in notes { object[id] = .double(at) }
            object["_requests"] = .int(requests.load(ordering: .relaxed))
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: Value.object(object).jsonText)))
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

    /// Starts the fake as a child process of this executable; returns it and its port.
    static func spawn() throws -> (process: Process, port: Int) {
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
        return (process, port)
    }
}
