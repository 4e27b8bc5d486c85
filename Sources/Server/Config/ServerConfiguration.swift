import Foundation
import Logging
import RuleEngine
import Runtime

/// Everything `rulebot serve` needs, from flags, the environment and an optional `.env` file
/// (flags win over the environment, which wins over `.env`).
public struct ServerConfiguration: Sendable {
    /// Address to listen on.
    public var host = "127.0.0.1"
    /// Port to listen on.
    public var port = 8080
    /// Graph API bearer token (`WHATSAPP_ACCESS_TOKEN` or `WHATSAPP_TOKEN`).
    public var accessToken: String?
    /// Business phone number id (`WHATSAPP_PHONE_NUMBER_ID` or `WHATSAPP_PHONE_ID`).
    public var phoneNumberID: String?
    /// The token Meta sends to verify the webhook (`WHATSAPP_WEBHOOK_VERIFY_TOKEN`).
    public var verifyToken: String?
    /// The app secret that signs webhooks (`WHATSAPP_WEBHOOK_SECRET`).
    public var appSecret: String?
    /// Base URL of the Graph API including its version (`WHATSAPP_API_URL`).
    public var apiURL = URL(string: "https://graph.facebook.com/v21.0")
    /// Bearer token for `/admin/*` (`RULEBOT_ADMIN_TOKEN`); admin routes are refused without it.
    public var adminToken: String?
    /// Bearer token for `POST /api/events` (`RULEBOT_API_TOKEN`), separate from the admin token;
    /// the route is refused without it.
    public var apiToken: String?
    /// The environment and `.env` values, which API settings read as `${NAME}`.
    public var environment: [String: String] = [:]
    /// Log level (`LOG_LEVEL`).
    public var logLevel: Logger.Level = .info
    /// Storage URL from the command line, if given.
    public var storage: StorageLocation?
    /// How often bot files are checked for changes, in seconds.
    public var reloadInterval = 1.0
    /// Largest webhook body accepted (Meta sends up to 3 MB).
    public var maxBodyBytes = 3 * 1024 * 1024
    /// Messages per second per business number (`WHATSAPP_SEND_RATE`, `--send-rate`); a bot's
    /// `throughput:` sets its own number's.
    public var sendRate = SendRates.metaDefault
    /// Sends in progress at once.
    public var sendConcurrency = 64
    /// Decision traces kept per user (`--traces`, default 50 for 7 days; `--traces off`).
    public var traces = TraceSettings()
    /// Bounds on each event's evaluation (`--max-reply-characters`, `--evaluation-steps`).
    public var limits = RuntimeLimits.default

    /// Defaults.
    public init() {}

    /// Whether replies can really be sent.
    public var canSend: Bool { accessToken != nil && phoneNumberID != nil && apiURL != nil }

    /// Reads the environment and `.env` text (flags are applied by the caller afterwards).
    public static func from(environment: [String: String], dotEnv: String?) throws -> ServerConfiguration {
        var values = dotEnv.map(DotEnv.parse) ?? [:]
        values.merge(environment) { _, process in process }
        func value(_ names: String...) -> String? {
            names.lazy.compactMap { values[$0] }.first { !$0.isEmpty }
        }
        var configuration = ServerConfiguration()
        configuration.accessToken = value("WHATSAPP_ACCESS_TOKEN", "WHATSAPP_TOKEN")
        configuration.phoneNumberID = value("WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_PHONE_ID")
        configuration.verifyToken = value("WHATSAPP_WEBHOOK_VERIFY_TOKEN")
        configuration.appSecret = value("WHATSAPP_WEBHOOK_SECRET", "WHATSAPP_APP_SECRET")
        configuration.adminToken = value("RULEBOT_ADMIN_TOKEN")
        configuration.apiToken = value("RULEBOT_API_TOKEN")
        configuration.environment = values
        if let url = value("WHATSAPP_API_URL") {
            guard let parsed = URL(string: url), parsed.scheme != nil else {
                throw CLIError("WHATSAPP_API_URL '\(url)' is not a URL")
            }
            configuration.apiURL = parsed
        }
        if let rate = value("WHATSAPP_SEND_RATE") {
            guard let parsed = Double(rate), parsed >= 1, parsed.isFinite else {
                throw CLIError("WHATSAPP_SEND_RATE '\(rate)' is not a number of messages per second (at least 1)")
            }
            configuration.sendRate = parsed
        }
        if let port = value("PORT") {
            guard let number = Int(port), (0...65535).contains(number) else {
                throw CLIError("PORT '\(port)' is not a port number")
            }
            configuration.port = number
        }
        if let level = value("LOG_LEVEL") {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw CLIError(
                    "LOG_LEVEL '\(level)' is not one of trace, debug, info, notice, warning, error, critical")
            }
            configuration.logLevel = parsed
        }
        return configuration
    }
}

/// Reads `KEY=value` lines; `#` comments, `export ` prefixes and quotes are allowed.
enum DotEnv {
    static func parse(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for rawLine in text.split(whereSeparator: \.isNewline) {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)) }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            } else if let hash = value.range(of: " #") {
                value = String(value[..<hash.lowerBound]).trimmingCharacters(in: .whitespaces)
            }
            values[key] = value
        }
        return values
    }
}
