import Foundation
import Hummingbird
import Logging
import RuleEngine
import Runtime

/// Everything a running server shares: configuration, bots, host, metrics and background work.
///
/// `buildRouter()` is a plain function so tests call routes in-process without a network.
public final class RulebotServer: Sendable {
    let configuration: ServerConfiguration
    let library: BotLibrary
    let host: BotHost
    let metrics: ServerMetrics
    let inFlight = InFlight()
    let sessions = ConsoleSessions()
    let signatures: SignatureVerifier?
    let logger: Logger

    /// Assembles a server for `files` on `storage`, sending with `sender`; throws with the
    /// rendered diagnostics when a bot file does not compile.
    public init(
        configuration: ServerConfiguration, files: [String], registry: ActionRegistry, storage: any BotStorage,
        sender: any MessageSender, performer: any HTTPPerformer = URLSessionPerformer(), time: any TimeSource,
        logger: Logger
    ) throws {
        self.configuration = configuration
        self.logger = logger
        let metrics = ServerMetrics()
        self.metrics = metrics
        let bots = BotSet()
        let rates = SendRates(standard: configuration.sendRate)
        library = BotLibrary(
            paths: files, registry: registry, bots: bots, storage: storage, metrics: metrics, time: time,
            logger: logger, limits: configuration.limits, rates: rates, defaultNumber: configuration.phoneNumberID)
        try library.loadAll()
        let limiter: any SendRateLimiter =
            storage.shared.map { SharedRateLimiter(storage: $0, rates: rates) } ?? LocalRateLimiter(rates: rates)
        let environment = configuration.environment
        let runner = WorkRunner(
            bots: bots, performer: performer, registry: registry, environment: { environment[$0] },
            observe: { metrics.called(api: $0, outcome: $1, seconds: $2) })
        let dispatcher = OutboxDispatcher(
            storage: storage, sender: WorkingSender(messages: sender, runner: runner), time: time, limiter: limiter,
            observer: metrics, logger: logger, concurrency: configuration.sendConcurrency)
        host = BotHost(
            bots: bots, storage: storage, dispatcher: dispatcher, sending: .background, time: time, observer: metrics,
            logger: logger, traces: configuration.traces)
        signatures = configuration.appSecret.map(SignatureVerifier.init(appSecret:))
    }

    /// The routes: webhook, health, metrics and admin.
    public func buildRouter() -> Router<RulebotRequestContext> {
        let router = Router(context: RulebotRequestContext.self)
        router.get("/webhook") { request, _ in self.verify(request) }
        router.post("/webhook") { request, context in
            try await self.inFlight.accepting { try await self.receive(request, context: context) }
        }
        router.get("/healthz") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("/readyz") { _, _ in await self.readiness() }
        router.get("/metrics") { _, _ in await self.metricsResponse() }
        router.post("/admin/reload") { request, _ in
            try await self.admin(request) { _, _ in
                if request.uri.queryParameters["dry_run"].map({ $0 == "1" || $0 == "true" }) ?? false {
                    return try Self.json(await self.library.dryRun())
                }
                return try await self.adminReload()
            }
        }
        router.post("/admin/rollback") { request, _ in
            try await self.admin(request) { _, _ in
                let bot = try self.inspector.bot(request.uri.queryParameters["bot"].map(String.init))
                do {
                    let version = try self.library.rollback(bot: bot.name)
                    return try Self.value(.object(["bot": .string(bot.name), "version": .string(version)]))
                } catch let error as CLIError {
                    return Self.text(.conflict, "\(error)\n")
                }
            }
        }
        router.get("/admin/bots") { request, _ in try await self.admin(request) { _, _ in try self.adminBots() } }
        addConsoleRoutes(to: router)
        addUserRoutes(to: router)
        router.post("/api/events") { request, context in
            try await self.inFlight.accepting { try await self.receiveEvents(request, context: context) }
        }
        return router
    }

    /// The dispatcher that sends the replies; the outbox service runs its loop.
    public var outbox: OutboxDispatcher { host.dispatcher }

    /// Returns when every accepted event has been processed.
    public func drain() async {
        await inFlight.drain()
    }

    /// Processes the events the inbox still holds (accepted before a crash); the outbox service
    /// sends the replies left unsent.
    func recover() async {
        do {
            let kept = try await host.storage.deadLetterCount()
            metrics.startDeadLetters(at: kept)
            if kept > 0 {
                logger.warning(
                    "dead letters are kept: events and messages no retry can fix",
                    metadata: ["count": "\(kept)"])
            }
        } catch {
            logger.error("could not count the dead letters", metadata: ["error": "\(error)"])
        }
        await host.drainInbox(run: inFlight.run)
    }

    static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let data = try encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
