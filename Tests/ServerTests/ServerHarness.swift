import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RuleEngine
import Runtime
import Synchronization

@testable import Server

/// A server called in-process through its router, with memory storage, a recording sender and virtual time.
struct ServerHarness {
    static let secret = "fixture_app_secret_5b1d0c9e7a"
    static let verifyToken = "fixture-verify-token"
    static let adminToken = "admin-secret"

    let server: RulebotServer
    let responder: RouterResponder<RulebotRequestContext>
    let sender: RecordingSender
    let storage: MemoryStorage
    let time: VirtualTime
    let directory: URL

    /// A server for `bots` (file name → YAML), written to a temporary folder.
    /// `sendRate` stays out of the way by default: virtual time stands still unless a test moves it.
    init(
        bots: [String: String], secret: String? = Self.secret, adminToken: String? = Self.adminToken,
        sendRate: Double = 1_000_000, apiToken: String? = nil, performer: (any HTTPPerformer)? = nil,
        environment: [String: String] = [:]
    ) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rulebot-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var paths: [String] = []
        for (name, yaml) in bots.sorted(by: { $0.key < $1.key }) {
            let url = directory.appendingPathComponent(name)
            try yaml.write(to: url, atomically: true, encoding: .utf8)
            paths.append(url.path)
        }
        var configuration = ServerConfiguration()
        configuration.appSecret = secret
        configuration.verifyToken = Self.verifyToken
        configuration.adminToken = adminToken
        configuration.sendRate = sendRate
        configuration.apiToken = apiToken
        configuration.environment = environment
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        sender = RecordingSender()
        storage = MemoryStorage()
        time = VirtualTime(start: 1_767_261_600)
        server = try RulebotServer(
            configuration: configuration, files: paths, registry: .builtIn, storage: storage, sender: sender,
            performer: performer ?? URLSessionPerformer(), time: time, logger: logger)
        responder = server.buildRouter().buildResponder()
    }

    /// Sends a request and returns the status, body text and headers.
    /// With `settling`, it then waits for the work the request started (see `settle`).
    func requestWithHeaders(
        _ method: HTTPRequest.Method, _ path: String, body: [UInt8] = [], headers: HTTPFields = [:],
        settling: Bool = true
    ) async throws -> (status: Int, body: String, headers: HTTPFields) {
        let head = HTTPRequest(
            method: method, scheme: "http", authority: "localhost", path: path, headerFields: headers)
        let request = Request(head: head, body: RequestBody(buffer: ByteBuffer(bytes: body)))
        let response = try await responder.respond(
            to: request, context: RulebotRequestContext(logger: Logger(label: "test")))
        let collector = Collector()
        try await response.body.write(collector)
        if settling { await settle() }
        return (Int(response.status.code), String(decoding: collector.bytes, as: UTF8.self), response.headers)
    }

    /// Sends a request and returns the status and body text.
    func request(
        _ method: HTTPRequest.Method, _ path: String, body: [UInt8] = [], headers: HTTPFields = [:]
    ) async throws -> (status: Int, body: String) {
        let answer = try await requestWithHeaders(method, path, body: body, headers: headers, settling: false)
        return (answer.status, answer.body)
    }

    /// POSTs `body` to /webhook signed with the fixture secret, then waits for background
    /// processing and sends what the outbox may send now.
    func webhook(_ body: [UInt8], signature: String? = nil) async throws -> Int {
        var headers = HTTPFields()
        if let name = HTTPField.Name("X-Hub-Signature-256") {
            headers[name] = signature ?? SignatureVerifier(appSecret: Self.secret).header(for: body)
        }
        headers[.contentType] = "application/json"
        let status = try await request(.post, "/webhook", body: body, headers: headers).status
        await settle()
        return status
    }

    /// Waits for the events in flight, then sends what may go now (the outbox service's loop does
    /// this in a running server).
    func settle() async {
        await server.inFlight.drain()
        await server.host.dispatcher.deliverDue()
    }

    /// The texts the bot sent (read receipts left out), forgetting them.
    func replies() -> [String] {
        sender.drain().compactMap { if case .markRead = $0.body { nil } else { $0.displayText } }
    }

    /// A fixture file's bytes.
    static func fixture(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: fixturesRoot.appendingPathComponent(path)))
    }

    /// The WhatsApp fixtures copied into the repository (`Tests/Fixtures/whatsapp`, see its INDEX.md).
    static let fixturesRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/whatsapp")

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func shippedBot(_ name: String) throws -> String {
        try String(contentsOf: repositoryRoot.appendingPathComponent("bots/\(name)"), encoding: .utf8)
    }
}

/// Collects a response body.
final class Collector: ResponseBodyWriter, @unchecked Sendable {
    var bytes: [UInt8] = []

    func write(_ buffer: ByteBuffer) async throws {
        bytes += Array(buffer.readableBytesView)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

/// A webhook body with one text message, in the shape Meta sends.
func textWebhook(
    _ text: String, from user: String = "14155550123", id: String, phoneNumberID: String = "410000000000001",
    timestamp: Int = 1_767_261_600
) -> [UInt8] {
    webhook(
        phoneNumberID: phoneNumberID,
        [
            "contacts": .array([.object(["profile": .object(["name": "Mira"]), "wa_id": .string(user)])]),
            "messages": .array([
                .object([
                    "from": .string(user), "id": .string(id), "timestamp": .string(String(timestamp)), "type": "text",
                    "text": .object(["body": .string(text)]),
                ])
            ]),
        ])
}

/// A webhook body of one `messages` change whose value holds `fields` (messages, statuses…).
func webhook(phoneNumberID: String, _ fields: [String: Value]) -> [UInt8] {
    var value: [String: Value] = [
        "messaging_product": "whatsapp",
        "metadata": .object(["display_phone_number": "15550100001", "phone_number_id": .string(phoneNumberID)]),
    ]
    value.merge(fields) { _, new in new }
    let payload: Value = .object([
        "object": "whatsapp_business_account",
        "entry": .array([
            .object([
                "id": "310000000000001",
                "changes": .array([.object(["field": "messages", "value": .object(value)])]),
            ])
        ]),
    ])
    return Array(payload.jsonText.utf8)
}
