import Foundation
import HTTPTypes
import RuleEngine
import Runtime
import Testing

@testable import Server

/// Safe deploys: a dry-run reload lists what a new file removes and whom it affects, changing
/// nothing; the previous version can be put back; rulebot diff says the same offline.
struct SafeDeployTests {
    static let v1 = """
        bot: shop
        states: { normal: { initial: true }, wappa: }
        timers: { nudge: 1h }
        rules:
          - when: /WAPPA
            do: [{ goto: wappa }, { start_timer: nudge }, { set: { key: user.cart, value: [] } }, { reply: in }]
          - when: { timer: nudge }
            do: [{ reply: nudge }]
          - when: message
            do: [{ reply: "v1" }]
        """
    static let v2 = """
        bot: shop
        states: { normal: { initial: true }, wapa: }
        rules:
          - when: /WAPPA
            do: [{ goto: wapa }, { reply: in }]
          - when: message
            do: [{ reply: "v2" }]
        """

    func post(_ harness: ServerHarness, _ path: String) async throws -> (Int, Value) {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(ServerHarness.adminToken)"
        let answer = try await harness.request(.post, path, headers: headers)
        return (answer.status, (try? JSONParser.parse(answer.body)) ?? .string(answer.body))
    }

    @Test func aDryRunCountsTheAffectedUsersAndARollbackPutsTheOldVersionBack() async throws {
        let harness = try ServerHarness(bots: ["shop.yaml": Self.v1])
        #expect(
            try await harness.webhook(textWebhook("/WAPPA", from: "34600111222", id: "d1", timestamp: 1_767_261_600))
                == 200)
        _ = harness.replies()
        try Self.v2.write(to: harness.directory.appendingPathComponent("shop.yaml"), atomically: true, encoding: .utf8)

        let (status, dry) = try await post(harness, "/admin/reload?dry_run=1")
        #expect(status == 200)
        let report = dry.items.first ?? .null
        #expect(report["result"] == "would reload")
        #expect(
            report["diff"]["removed_states"] == .array(["wappa"])
                && report["diff"]["removed_timers"] == .array(["nudge"]))
        #expect(report["diff"]["likely_renames"].items.contains("wappa → wapa"))
        #expect(report["impact"]["users_in_removed_states"]["wappa"] == .int(1))
        #expect(report["impact"]["users_with_removed_timers"]["nudge"] == .int(1))
        #expect(report["impact"]["users_with_removed_keys"]["user.cart"] == .int(1))
        // Nothing changed: the old version still answers.
        #expect(
            try await harness.webhook(textWebhook("hi", from: "34600111222", id: "d2", timestamp: 1_767_261_601)) == 200
        )
        #expect(harness.replies() == ["v1"])

        #expect(try await post(harness, "/admin/reload").0 == 200)
        #expect(
            try await harness.webhook(textWebhook("hi", from: "34600111222", id: "d3", timestamp: 1_767_261_602)) == 200
        )
        #expect(harness.replies() == ["v2"])
        let (rolled, answer) = try await post(harness, "/admin/rollback")
        #expect(rolled == 200 && answer["bot"] == "shop")
        #expect(
            try await harness.webhook(textWebhook("hi", from: "34600111222", id: "d4", timestamp: 1_767_261_603)) == 200
        )
        #expect(harness.replies() == ["v1"])
        // The file did not change since, so the watcher's next check keeps the rolled-back version.
        #expect(try await post(harness, "/admin/reload").1.items.first?["result"] == "unchanged")
    }

    @Test func diffSaysWhatIsRemovedOffline() throws {
        let old = try #require(BotCompiler().compile(source: Self.v1, file: "v1.yaml").graph)
        let new = try #require(BotCompiler().compile(source: Self.v2, file: "v2.yaml").graph)
        let diff = GraphDiff(from: old, to: new)
        let text = DiffCommand.render(diff, impact: nil)
        #expect(text.contains("removed state wappa") && text.contains("removed timer nudge"))
        #expect(text.contains("removed key user.cart") && text.contains("renamed? wappa → wapa"))
        #expect(!diff.isSafe && GraphDiff(from: old, to: old).isSafe)
    }
}
