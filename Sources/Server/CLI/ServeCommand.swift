import ArgumentParser
import Foundation
import Hummingbird
import Logging
import RuleEngine
import Runtime
import ServiceLifecycle
import UnixSignals

/// `rulebot serve FILE...`: answer WhatsApp users.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve bots to WhatsApp: signed webhooks in, Graph API replies out, hot reload.",
        discussion: """
            Credentials come from the environment or a .env file: WHATSAPP_ACCESS_TOKEN, WHATSAPP_PHONE_NUMBER_ID,
            WHATSAPP_WEBHOOK_VERIFY_TOKEN, WHATSAPP_WEBHOOK_SECRET, WHATSAPP_API_URL, WHATSAPP_SEND_RATE, PORT,
            LOG_LEVEL, RULEBOT_ADMIN_TOKEN. Without an access token the server still runs and logs replies instead of sending them.
            """)

    @Argument(help: "Bot files. With several, each declares the phone_number_id it answers.")
    var files: [String]

    @Option(help: "Address to listen on.")
    var host: String?

    @Option(help: "Port to listen on (default: PORT, else 8080).")
    var port: Int?

    @Option(help: "Storage URL (default: the bot's preference, else sqlite:./data/rulebot.sqlite).")
    var storage: String?

    @Option(help: "A .env file to read.")
    var envFile = ".env"

    @Option(help: "Seconds between checks of the bot files for changes.")
    var reloadInterval = 1.0

    @Option(help: "Seconds a claimed timer is reserved; after a crash another instance fires it once this lapses.")
    var timerLease = 30.0

    @Option(help: "Seconds between looks for work a dead instance left (shared storage only).")
    var recoveryInterval = 5.0

    @Option(
        help: """
            Requests per second to the Graph API per business number, for all instances on shared storage together \
            (default: WHATSAPP_SEND_RATE, else 80, Meta's default). A bot's throughput: sets its own number's.
            """)
    var sendRate: Double?

    @Option(help: "Sends in progress at once.")
    var sendConcurrency = 64

    @Option(help: "Seconds the outbox keeps sending after SIGTERM; what is left is sent after the next start.")
    var drainTimeout = 10.0

    @Option(help: "Characters one rendered text may have; longer ones are cut, with a trace warning.")
    var maxReplyCharacters = RuntimeLimits.default.replyCharacters

    @Option(help: "Template steps one event may take; past them it is dropped into the dead letters.")
    var evaluationSteps = RuntimeLimits.default.evaluationSteps

    @Option(help: "Decision traces kept per user (rulebot why, the console), or 'off'.")
    var traces = "50"

    @Option(help: "Days a decision trace is kept.")
    var traceDays = 7.0

    @Option(help: "Users whose data SQLite and JSON storage keep cached in memory (0: none).")
    var cacheUsers = SnapshotCache.defaultCapacity

    func run() async throws {
        let dotEnv = FileManager.default.contents(atPath: envFile).map { String(decoding: $0, as: UTF8.self) }
        var configuration = try ServerConfiguration.from(
            environment: ProcessInfo.processInfo.environment, dotEnv: dotEnv)
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        configuration.reloadInterval = reloadInterval
        guard maxReplyCharacters >= 1, evaluationSteps >= 1 else {
            throw CLIError("--max-reply-characters and --evaluation-steps must be at least 1")
        }
        configuration.limits = RuntimeLimits(replyCharacters: maxReplyCharacters, evaluationSteps: evaluationSteps)
        if let sendRate { configuration.sendRate = sendRate }
        guard configuration.sendRate >= 1, configuration.sendRate.isFinite, sendConcurrency >= 1, drainTimeout >= 0
        else {
            throw CLIError("--send-rate and --send-concurrency must be at least 1, --drain-timeout at least 0")
        }
        configuration.sendConcurrency = sendConcurrency
        let perUser = traces.lowercased() == "off" ? 0 : Int(traces)
        guard let perUser, perUser >= 0, perUser <= 1000, traceDays > 0, traceDays.isFinite else {
            throw CLIError("--traces is a number of traces per user (up to 1000) or 'off'; --trace-days is above 0")
        }
        configuration.traces = TraceSettings(perUser: perUser, retention: traceDays * 86_400)
        var logger = Logger(label: "rulebot")
        logger.logLevel = configuration.logLevel

        let first = try BotFile.load(files[0]).graph()
        let location = try StorageChoice.resolve(storage, preferred: first.preferredStorage)
        guard cacheUsers >= 0 else { throw CLIError("--cache-users must be 0 or more") }
        let store = try StorageFactory.open(location, cachedUsers: cacheUsers)
        if let redis = store as? RedisStorage {
            if let moved = redis.layoutMigration { logger.notice("\(moved)") }
            if let warning = await redis.durabilityWarning() { logger.warning("\(warning)") }
        }
        let time = SystemTime()
        let sender: any MessageSender
        if configuration.canSend, let url = configuration.apiURL, let token = configuration.accessToken,
            let phone = configuration.phoneNumberID
        {
            sender = GraphAPISender(
                baseURL: url, token: token, defaultPhoneNumberID: phone, connections: sendConcurrency, logger: logger)
        } else {
            logger.warning(
                "outbound disabled: WHATSAPP_ACCESS_TOKEN or WHATSAPP_PHONE_NUMBER_ID is not set; replies are logged, not sent"
            )
            sender = LoggingSender(logger: logger)
        }
        if configuration.appSecret == nil {
            logger.warning(
                "WHATSAPP_WEBHOOK_SECRET is not set: webhook signatures are not checked (fine locally, never in production)"
            )
        }
        let server = try RulebotServer(
            configuration: configuration, files: files, registry: RulebotCommand.registry, storage: store,
            sender: sender, time: time,
            logger: logger)
        let app = Application(
            router: server.buildRouter(),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "rulebot"),
            logger: logger)
        logger.info(
            "serving",
            metadata: [
                "address": "\(configuration.host):\(configuration.port)", "storage": "\(location)", "bots": "\(files)",
                "send.rate": "\(configuration.sendRate)",
            ])
        var options = ServiceOptions()
        options.reloadInterval = reloadInterval
        options.timerLease = timerLease
        options.recoveryInterval = recoveryInterval
        options.drainTimeout = drainTimeout
        try await buildApplication(server: server, options: options, front: .init(service: app), logger: logger).run()
    }
}
