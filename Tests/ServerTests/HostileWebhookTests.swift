import Foundation
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
