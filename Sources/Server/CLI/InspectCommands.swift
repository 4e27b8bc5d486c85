import ArgumentParser
import Foundation
import Logging
import RuleEngine
import Runtime

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Where `inspect`, `why` and `users` read from: a storage with the bot's file, or a running
/// server's admin API.
struct InspectSource: ParsableArguments {
    @Option(help: "The bot file (reading a storage directly), or the bot's name (with --server, when it runs several).")
    var bot: String?

    @Option(help: "Storage URL to read (default: the bot's preference, else sqlite:./data/rulebot.sqlite).")
    var storage: String?

    @Option(help: "A running server's base URL, read through its admin API instead of a storage.")
    var server: String?

    @Option(help: "The admin token for --server (default: RULEBOT_ADMIN_TOKEN).")
    var token: String?

    /// GETs `path` (with the bot named) from the server's admin API.
    func fetch(_ path: String) async throws -> Value {
        guard let server else { throw CLIError("no --server") }
        guard let token = token ?? ProcessInfo.processInfo.environment["RULEBOT_ADMIN_TOKEN"] else {
            throw CLIError("no admin token: pass --token or set RULEBOT_ADMIN_TOKEN")
        }
        let separator = path.contains("?") ? "&" : "?"
        let query =
            bot.map { "\(separator)bot=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)" } ?? ""
        guard let url = URL(string: server.trimmingCharacters(in: ["/"]) + path + query) else {
            throw CLIError("'\(server)' is not a URL")
        }
        var request = URLRequest(url: url)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else {
            throw CLIError("the server answered \(status): \(String(decoding: data, as: UTF8.self))")
        }
        return try JSONParser.parse(Array(data))
    }

    /// An inspector over the storage, for the bot file given.
    func local() throws -> (Inspector, LoadedBot) {
        guard let bot else { throw CLIError("name the bot file with --bot, or read a running server with --server") }
        let graph = try BotFile.load(bot).graph()
        let loaded = try LoadedBot(graph: graph, registry: RulebotCommand.registry)
        let store = try StorageFactory.open(try StorageChoice.resolve(storage, preferred: graph.preferredStorage))
        var logger = Logger(label: "rulebot.inspect")
        logger.logLevel = .error
        let host = BotHost(
            bots: BotSet([loaded]), storage: store, sender: LoggingSender(logger: logger), time: SystemTime(),
            logger: logger)
        return (Inspector(host: host), loaded)
    }
}

/// `rulebot inspect USER`: state and since when, stored data with time-to-live, timers, outbox.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Show a user's state, stored data, timers and unsent messages.")

    @Argument(help: "The user's WhatsApp number.")
    var user: String

    @OptionGroup var source: InspectSource

    func run() async throws {
        let value: Value
        if source.server != nil {
            value = try await source.fetch("/admin/users/\(user)")
        } else {
            let (inspector, bot) = try source.local()
            value = try await inspector.inspect(bot, userID: user)
        }
        print(InspectText.user(value), terminator: "")
    }
}

/// `rulebot why USER`: the user's latest decision traces.
struct WhyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "why",
        abstract: "Explain what the bot did for a user's latest events, and why no other rule fired.")

    @Argument(help: "The user's WhatsApp number.")
    var user: String

    @Option(help: "How many of the latest events.")
    var last = 1

    @OptionGroup var source: InspectSource

    func run() async throws {
        let traces: [StoredTrace]
        if source.server != nil {
            let value = try await source.fetch("/admin/users/\(user)/traces?last=\(last)")
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            traces = try decoder.decode([StoredTrace].self, from: Data(value.jsonText.utf8))
        } else {
            let (inspector, bot) = try source.local()
            traces = try await inspector.traces(bot, userID: user, last: last)
        }
        guard !traces.isEmpty else {
            print("no traces kept for \(user) (serve keeps the last 50 per user unless --traces off)")
            return
        }
        print(traces.reversed().map(InspectText.trace).joined(separator: "\n"), terminator: "")
    }
}

/// `rulebot users`: the users of a bot, optionally in one state.
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "List a bot's users with their state, last message and whether they are paused."
    )

    @Option(help: "Only users in this state.")
    var state: String?

    @OptionGroup var source: InspectSource

    func run() async throws {
        let users: [Value]
        if source.server != nil {
            let value = try await source.fetch("/admin/users" + (state.map { "?state=\($0)" } ?? ""))
            users = value["users"].items
        } else {
            let (inspector, bot) = try source.local()
            users = try await inspector.users(bot, state: state)
        }
        print(users.map(InspectText.userLine).joined(separator: "\n"))
    }
}

/// Inspection data as text for a terminal.
enum InspectText {
    static func time(_ value: Value) -> String {
        guard let seconds = value.number else { return "never" }
        return ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: seconds))
    }

    static func userLine(_ user: Value) -> String {
        "\(user["user"].text)  \(user["state"].text)  last message \(time(user["last_message_at"]))"
            + (user["paused"] == .bool(true) ? "  PAUSED" : "")
    }

    static func user(_ value: Value) -> String {
        var lines = [
            "user \(value["user"].text): state \(value["state"].text) since \(time(value["since"]))"
                + (value["paused"] == .bool(true) ? ", paused by \(value["paused_by"].text)" : ""),
            "last message \(time(value["last_message_at"])), window \(value["window_open"] == .bool(true) ? "open" : "closed"), bot version \(value["version"].text)",
            "data:",
        ]
        lines += value["data"].items.map {
            "  \($0["key"].text) = \($0["value"].traceText)"
                + ($0["expires_at"] == .null ? "" : " (expires \(time($0["expires_at"])))")
        }
        lines.append("timers:")
        lines += value["timers"].items.map { "  \($0["name"].text) due \(time($0["due_at"]))" }
        lines.append("outbox:")
        lines += value["outbox"].items.map { "  \($0["id"].text): \($0["text"].text)" }
        return lines.joined(separator: "\n") + "\n"
    }

    static func trace(_ trace: StoredTrace) -> String {
        var lines = [
            "#\(trace.sequence) \(time(.double(trace.at)))  \(trace.event)  (state \(trace.stateBefore)"
                + (trace.stateAfter == trace.stateBefore ? ")" : " → \(trace.stateAfter))")
        ]
        lines += trace.notes.map { "  • \($0)" }
        lines += trace.rules.map { rule in
            rule.fired
                ? "  ✓ \(rule.id) (\(rule.location)) fired" : "  ✗ \(rule.id) (\(rule.location)): \(rule.reason ?? "")"
        }
        lines += trace.writes.map { "  = \($0)" }
        lines += trace.timers.map { "  ⏱ \($0)" }
        lines += trace.replies.map { "  → " + $0.text.split(separator: "\n").joined(separator: "\n    ") }
        if let outcome = trace.outcome { lines.append("  ↳ the reply \(outcome.outboxID) is \(outcome.status)") }
        return lines.joined(separator: "\n") + "\n"
    }
}
