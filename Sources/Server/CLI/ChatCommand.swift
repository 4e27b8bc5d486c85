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
            (also /video, /audio, /document, /sticker, /location). Timers fire in real time. Reads a pipe
            too: at the end of input it waits for running timers, then exits.
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

    func run() async throws {
        let graph = try BotFile.load(file).graph()
        let location = try StorageChoice.resolve(storage, preferred: graph.preferredStorage)
        let store = try StorageFactory.open(location)
        var logger = Logger(label: "rulebot.chat")
        logger.logLevel = .warning
        var configuration = ServerConfiguration()
        configuration.sendRate = 1_000
        let server = try RulebotServer(
            configuration: configuration, files: [file], registry: RulebotCommand.registry, storage: store,
            sender: ConsoleSender(), time: SystemTime(), logger: logger)
        print("💬 Chatting with '\(graph.name)' as \(name) (\(user)), storage \(location). Ctrl-D to end.")
        let input = ChatInput(server: server, bot: graph.name, user: SimulatedUser(phone: user, name: name))
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

    func run() async throws {
        var simulated = user
        let time = server.host.time
        let store = server.host.storage
        while let line = readLine() {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { continue }
            print("> \(text)")
            let entry = InboxEntry(bot: bot, event: simulated.event(for: text, at: time.now()))
            server.process(try await store.accept([entry], rememberUntil: time.now() + InboxEntry.dedupeWindow))
            await server.inFlight.drain()
            await server.host.dispatcher.idle()
        }
        if try await store.nextTimerDue() != nil {
            print("⏳ waiting for running timers (Ctrl-C to quit)…")
            while let due = try await store.nextTimerDue(), due < time.now() + 3600 {
                try await time.sleep(until: due + 0.5)
            }
            await server.host.dispatcher.idle()
        }
    }
}

/// Prints bot messages the way a phone shows them.
struct ConsoleSender: MessageSender {
    func send(_ message: OutboundMessage) async -> SendOutcome {
        if case .markRead = message.body { return .sent }
        let quote = message.replyTo != nil ? "↩︎ " : ""
        let lines = message.displayText.split(separator: "\n", omittingEmptySubsequences: false)
        print("🤖 " + quote + lines.joined(separator: "\n   "))
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
