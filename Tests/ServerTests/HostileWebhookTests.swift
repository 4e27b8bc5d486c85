import ConversationTesting
import Foundation
import Logging
import RuleEngine
import Runtime
import Testing

@testable import Server

/// The fuzzing reproducers in `Tests/Fixtures/hostile`: each signed webhook that once killed the
/// server, poisoned its journal or froze a worker is answered, and the server goes on serving.
struct HostileWebhookTests {
    static let hostile = ServerHarness.fixturesRoot.deletingLastPathComponent().appendingPathComponent("hostile")

    static func body(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: hostile.appendingPathComponent(name)))
    }

    static let webhooks = [
        "webhook_surrogate_pair_underflow.json", "webhook_status_error_code_inf.json",
        "webhook_status_error_code_string_1e19.json", "webhook_timestamp_inf_restart_poison.json",
        "webhook_timestamp_1e400_restart_poison.json", "webhook_timestamp_inf_journal.json",
        "webhook_evil_regex_text.json", "webhook_evil_regex_1000a.json",
    ]

    @Test(arguments: webhooks)
    func isAnsweredAndTheServerGoesOn(name: String) async throws {
        let harness = try ServerHarness(bots: ["echo.yaml": WebhookTests.echoBot])
        #expect(try await harness.webhook(try Self.body(name)) == 200)
        _ = harness.replies()
        #expect(try await harness.webhook(textWebhook("still there?", id: "wamid.after")) == 200)
        #expect(harness.replies().contains("echo: still there?"))
    }

    @Test func aLoneSurrogateReachesTheBotAsAReplacementCharacter() async throws {
        let harness = try ServerHarness(bots: ["echo.yaml": WebhookTests.echoBot])
        #expect(try await harness.webhook(try Self.body("webhook_surrogate_pair_underflow.json")) == 200)
        #expect(harness.replies().contains { $0.contains("\u{FFFD}") })
    }

    /// `(a+)+$` against 1,000 a's and a "!" backtracked for minutes in ICU; RE2 answers at once,
    /// and the evil rule correctly does not match, so the next rule replies.
    @Test func aCatastrophicPatternIsMatchedInLinearTime() async throws {
        let regexBot = try String(contentsOf: Self.hostile.appendingPathComponent("regex_bot.yaml"), encoding: .utf8)
        let harness = try ServerHarness(bots: ["regex.yaml": regexBot])
        #expect(try await harness.webhook(try Self.body("webhook_evil_regex_1000a.json")) == 200)
        let replies = harness.replies()
        #expect(replies.count == 1)
        #expect(replies.first?.hasPrefix("ok aaaa") == true)
        #expect(try await harness.webhook(textWebhook("aaaa", id: "wamid.match")) == 200)
        #expect(harness.replies() == ["matched"])
    }

    /// A timestamp of `inf` or `1e400` was journalled as `null` and stopped every later start.
    @Test(arguments: ["webhook_timestamp_inf_restart_poison.json", "webhook_timestamp_1e400_restart_poison.json"])
    func anUnrepresentableTimestampIsStoredSoItReadsBack(name: String) async throws {
        let parsed = WebhookPayload.parse(try JSONParser.parse(try Self.body(name)))
        let item = try #require(parsed.items.first)
        #expect(item.timestamp == 0, "out of range reads as unknown")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rulebot-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("db.sqlite").path
        do {
            let storage = try SQLiteStorage(path: path)
            let accepted = try await storage.accept(
                [InboxEntry(bot: "echo", event: item.event)], rememberUntil: 1_767_261_600 + 86400)
            #expect(accepted.count == 1)
        }
        let reopened = try SQLiteStorage(path: path)
        #expect(try await reopened.pendingInbox(limit: 10).map(\.event.id) == [item.event.id])
    }

    @Test func idsAndNumbersOutOfBoundsAreSkippedNotStored() throws {
        let huge = String(repeating: "4", count: 1_000_000)
        let body = textWebhook("hi", id: "wamid.huge", phoneNumberID: huge)
        let parsed = WebhookPayload.parse(try JSONParser.parse(body))
        #expect(parsed.items.isEmpty)
        #expect(parsed.skipped == 1)
        let longID = textWebhook("hi", id: String(repeating: "w", count: WebhookPayload.maximumIDLength + 1))
        #expect(WebhookPayload.parse(try JSONParser.parse(longID)).items.isEmpty)
    }

    @Test(arguments: ["webhook_status_error_code_inf.json", "webhook_status_error_code_string_1e19.json"])
    func anErrorCodeThatIsNoIntegerIsDropped(name: String) throws {
        let parsed = WebhookPayload.parse(try JSONParser.parse(try Self.body(name)))
        guard case .status(let status)? = parsed.items.first?.event.kind else {
            Issue.record("no status read")
            return
        }
        #expect(status.errorCodes.isEmpty)
    }
}

/// kill -9 with a poisoned journal, then a start: the bad line is quarantined and counted, and
/// every other event is handled (before, start-up failed until the file was edited by hand).
struct PoisonedJournalTests {
    @Test func theServerStartsQuarantinesTheBadLineAndHandlesTheRest() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rulebot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let until = 1_767_261_600.0 + 86400
        func line(_ text: String, id: String) -> String {
            let event = InboundEvent.text(text, from: "14155550123", name: "Mira", id: id, at: 1_767_261_600)
            return "\(until)\t\(InboxEntry(bot: "echo", event: event).recordJSON)\n"
        }
        // What a kill -9 left: two accepted events around a line that cannot be read back.
        let poisoned = line("poisoned", id: "w2").replacingOccurrences(
            of: "\"timestamp\":", with: "\"timestamp\":null,\"x\":")
        let restarted = try RestartedServer(
            bot: Data(WebhookTests.echoBot.utf8),
            journal: Data((line("first", id: "w1") + poisoned + line("third", id: "w3")).utf8), in: directory,
            startingAt: 1_767_261_600)
        await restarted.start()
        #expect(Set(restarted.sender.sent.map(\.displayText)) == ["echo: first", "echo: third"])
        #expect(try await restarted.server.host.storage.deadLetterCount() == 1)
        #expect(restarted.server.metrics.render().contains("rulebot_dead_letters 1"))
        let quarantine = try String(contentsOfFile: restarted.path + "-inbox.quarantine", encoding: .utf8)
        #expect(quarantine.contains("poisoned"))
    }
}

/// A hostile bot file reaching a running server through hot reload: it is refused with its
/// diagnostic and the loaded bot keeps serving (deep nesting once crashed the server, an alias
/// bomb grew it to 4.4 GB).
struct HostileReloadTests {
    @Test(arguments: [
        ("check_crash_deep_parens.yaml", "invalid-expression"), ("check_billion_laughs.yaml", "yaml-too-large"),
        ("big", "file-too-large"),
    ])
    func aHostileFileIsRefusedAndTheOldBotServes(file: String, id: String) async throws {
        let harness = try ServerHarness(bots: ["echo.yaml": WebhookTests.echoBot])
        let path = harness.directory.appendingPathComponent("echo.yaml")
        if file == "big" {
            try Data(repeating: UInt8(ascii: "#"), count: CompileLimits.fileBytes + 1).write(to: path)
        } else {
            try Data(contentsOf: HostileWebhookTests.hostile.appendingPathComponent(file)).write(to: path)
        }
        guard case .failed(let message)? = await harness.server.library.reload(trigger: "test")[path.path] else {
            Issue.record("expected a refused reload")
            return
        }
        #expect(message.contains("[\(id)]"))
        #expect(try await harness.webhook(textWebhook("hi", id: "w1")) == 200)
        #expect(harness.replies() == ["echo: hi"])
    }
}

/// The journal a server left with seven 1,000-character evil-regex messages in it hung every
/// later start; now the start handles all thirteen events, each evil one answered by the next rule.
struct EvilRegexJournalTests {
    @Test func aStartWorksOffTheJournalThatOnceHungEveryStart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rulebot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let restarted = try RestartedServer(
            bot: try Data(contentsOf: HostileWebhookTests.hostile.appendingPathComponent("regex_bot.yaml")),
            journal: try Data(
                contentsOf: HostileWebhookTests.hostile.appendingPathComponent("regex_poison_inbox_journal.txt")),
            in: directory, startingAt: 1_796_146_100)
        await restarted.start()
        let replies = restarted.sender.sent.map(\.displayText)
        #expect(replies.count == 13)
        #expect(replies.filter { $0.hasPrefix("ok aaaa") && $0.hasSuffix("!") }.count == 7)
        #expect(try await restarted.server.host.storage.pendingInbox(limit: 20).isEmpty)
    }
}

/// A conversation test file with 20,000 parentheses in an `expect:` crashed `rulebot test`.
struct HostileConversationTestTests {
    @Test func aDeepExpectationIsADiagnostic() throws {
        let source = try String(
            contentsOf: HostileWebhookTests.hostile.appendingPathComponent("conv_test_crash_deep_expect.yaml"),
            encoding: .utf8)
        let (spec, diagnostics) = ConversationParser.parse(source: source, file: "test.yaml")
        #expect(spec == nil)
        #expect(diagnostics.contains { $0.id == "invalid-expression" })
    }
}

/// A server on SQLite that starts over a journal a crash left: `journal` becomes its inbox.
struct RestartedServer {
    let server: RulebotServer
    let sender = RecordingSender()
    let path: String

    init(bot: Data, journal: Data, in directory: URL, startingAt start: Double) throws {
        path = directory.appendingPathComponent("db.sqlite").path
        try journal.write(to: URL(fileURLWithPath: path + "-inbox.1"))
        let file = directory.appendingPathComponent("bot.yaml")
        try bot.write(to: file)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        var configuration = ServerConfiguration()
        configuration.sendRate = 1_000_000  // virtual time stands still: no waiting for the rate
        server = try RulebotServer(
            configuration: configuration, files: [file.path], registry: .builtIn,
            storage: try SQLiteStorage(path: path), sender: sender, time: VirtualTime(start: start), logger: logger)
    }

    /// Recovers as `serve` does at start, waits for the recovered events, and sends their replies.
    func start() async {
        await server.recover()
        await server.drain()
        await server.host.dispatcher.deliverDue()
    }
}
