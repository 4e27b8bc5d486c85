import Logging
import Runtime
import Synchronization
import Testing

/// Log lines about an event carry the bot and the user's masked phone number.
struct EventLogTests {
    final class Lines: Sendable {
        let lines = Mutex<[(Logger.Level, String, Logger.Metadata)]>([])
    }

    struct Capture: LogHandler {
        let lines: Lines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            lines.lines.withLock {
                $0.append((event.level, "\(event.message)", metadata.merging(event.metadata ?? [:]) { $1 }))
            }
        }
    }

    @Test func aFailedEventIsLoggedWithBotAndMaskedUser() async throws {
        var registry = ActionRegistry.builtIn
        registry.register(FailingAction())
        let bot = try loadBot(
            """
            bot: failing
            rules:
              - when: message
                do:
                  - explode
            """, registry: registry)
        let lines = Lines()
        let logger = Logger(label: "test") { _ in Capture(lines: lines) }
        let host = BotHost(
            bots: BotSet([bot]), storage: MemoryStorage(), sender: RecordingSender(), time: VirtualTime(),
            logger: logger)
        await host.handle(InboxEntry(bot: "failing", event: .message("hi", from: "34600123456", id: "w1")))
        let errors = lines.lines.withLock { $0 }.filter { $0.0 == .error }
        #expect(errors.count == 1)
        let metadata = try #require(errors.first?.2)
        #expect(metadata["bot.name"] == "failing")
        #expect(metadata["user.id"] == "346•••••456")
        #expect(metadata["error"].map { "\($0)" }?.contains("boom") == true)
    }
}
