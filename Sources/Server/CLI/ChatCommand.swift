import ArgumentParser
import ConversationTesting
import Foundation
import Logging
import RuleEngine
import Runtime
import ServiceLifecycle

/// `rulebot chat FILE`: talk to a bot in the terminal, timers in real time.
struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Chat with a bot locally, no WhatsApp account needed.",
        discussion: """
            Type messages and press return. '/button ID' taps a button, '/image CAPTION' sends an image
            (also /video, /audio, /document, /sticker, /location). Timers fire in real time;
            '/advance 10m' moves the clock forward, firing what falls due. Reads a pipe too: at the end
            of input it waits up to --wait seconds for running timers, then exits.
            """)

    @Argument(help: "The bot file.")
    var file: String

    @Option(help: "The simulated user's phone number.")
    var user = "15550000001"

    @Option(help: "The simulated user's WhatsApp name.")
    var name = "Tester"

    @Option(
        help:
            "Storage URL: sqlite:PATH, json:DIR, memory, redis://… (default: the bot's preference, else sqlite:./data/rulebot.sqlite)."
    )
    var storage: String?

    @Option(help: "At the end of input, seconds to wait for running timers before exiting.")
    var wait = 30.0

    @Option(
        help:
            "A YAML file answering the bot's calls by name (calls: and env:, as in a test file); without it calls are real."
    )
    var mocks: String?

    func run() async throws {
        let graph = try BotFile.load(file).graph()
        let location = try StorageChoice.resolve(storage, preferred: graph.preferredStorage)
        let store = try StorageFactory.open(location)
        var logger = Logger(label: "rulebot.chat")
        logger.logLevel = .warning
        var configuration = ServerConfiguration()
        configuration.sendRate = 1_000  // one person typing: Meta's limit is not what chat shows
        configuration.environment = ProcessInfo.processInfo.environment
        var performer: any HTTPPerformer = URLSessionPerformer()
        if let mocks {
            let source = try String(contentsOfFile: mocks, encoding: .utf8)
            let parsed = ConversationParser.parseMocks(source: source, file: mocks)
            if parsed.diagnostics.contains(where: { $0.severity == .error }) {
                throw CLIError(DiagnosticRenderer(source: source).render(parsed.diagnostics))
            }
            performer = MockPerformer(mocks: parsed.calls)
            configuration.environment.merge(parsed.environment) { _, file in file }
        }
        let time = ShiftedTime()
        let server = try RulebotServer(
            configuration: configuration, files: [file], registry: RulebotCommand.registry, storage: store,
            sender: ConsoleSender(), performer: performer, time: time, logger: logger)
        show("💬 Chatting with '\(graph.name)' as \(name) (\(user)), storage \(location). Ctrl-D to end.")
        let input = ChatInput(
            server: server, bot: graph.name, user: SimulatedUser(phone: user, name: name), clock: time, wait: wait)
        // Ctrl-C ends the chat at once, as in any terminal program; the end of input shuts down gracefully.
        try await buildApplication(
            server: server, options: ServiceOptions(),
            front: .init(service: input, successTerminationBehavior: .gracefullyShutdownGroup), signals: [],
            logger: logger
        ).run()
    }
}

/// The terminal side of `rulebot chat`: each line typed is a message from the simulated user.
struct ChatInput: Service {
    let server: RulebotServer
    let bot: String
    let user: SimulatedUser
    let clock: ShiftedTime
    let wait: Double

    func run() async throws {
        var simulated = user
        let time = server.host.time
        let store = server.host.storage
        while let line = readLine() {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { continue }
            show("> \(text)")
            if text == "/advance" || text.hasPrefix("/advance ") {
                await advance(String(text.dropFirst("/advance".count)).trimmingCharacters(in: .whitespaces))
                continue
            }
            let entry = InboxEntry(bot: bot, event: simulated.event(for: text, at: time.now()))
            server.process(try await store.accept([entry], rememberUntil: time.now() + InboxEntry.dedupeWindow))
            await server.inFlight.drain()
            await server.host.dispatcher.idle()
        }
        let until = time.now() + wait
        if try await store.nextTimerDue() != nil {
            show("⏳ waiting up to \(Int(wait)) s for running timers (Ctrl-C to quit)…")
            while let due = try await store.nextTimerDue(), due <= until {
                try await time.sleep(until: due + 0.5)
            }
            await server.host.dispatcher.idle()
        }
        if let due = try await store.nextTimerDue() {
            let count = try await store.timerCount()
            show(
                "⏳ \(count) timer\(count == 1 ? "" : "s") still running, the next due in \(Int((due - time.now()).rounded())) s; "
                    + "not waiting longer than --wait (type /advance to move the clock)")
        }
    }

    /// `/advance 10m`: moves the clock forward and fires every timer that falls due meanwhile.
    private func advance(_ text: String) async {
        guard let seconds = DurationText.seconds(text), seconds > 0 else {
            show("⚠️ /advance needs a duration such as 30s, 10m, 2h or 1d")
            return
        }
        clock.advance(by: seconds)
        show("⏩ the clock moved \(text) forward")
        await server.host.fireDueTimers()
        await server.inFlight.drain()
        await server.host.dispatcher.idle()
    }
}

/// Prints bot messages the way a phone shows them.
struct ConsoleSender: MessageSender {
    func send(_ message: OutboundMessage) async -> SendOutcome {
        if case .markRead = message.body { return .sent }
        let quote = message.replyTo != nil ? "↩︎ " : ""
        let lines = message.detailedText.split(separator: "\n", omittingEmptySubsequences: false)
        show("🤖 " + quote + lines.joined(separator: "\n   "))
        return .sent
    }
}

/// Which storage to use: the command line, else the bot's preference, else the default.
enum StorageChoice {
    static func resolve(_ flag: String?, preferred: StorageLocation?) throws -> StorageLocation {
        guard let flag else { return preferred ?? StorageFactory.defaultLocation }
        guard let location = StorageLocation(flag) else {
            throw CLIError("'\(flag)' is not a storage; use sqlite:PATH, json:DIR, memory or redis://HOST:PORT")
        }
        return location
    }
}

/// Writes a line at once, unbuffered even into a pipe, so `timeout` or a reader sees each line
/// as it happens (`print` would hold them until exit when piped).
func show(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
