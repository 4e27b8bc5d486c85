import Foundation
import HTTPTypes
import Logging
import RuleEngine
import Runtime
import Testing

@testable import Server

struct OperationsTests {
    @Test func reloadWithABrokenFileKeepsTheOldBotRunning() async throws {
        let harness = try ServerHarness(bots: ["echo.yaml": WebhookTests.echoBot])
        let path = harness.directory.appendingPathComponent("echo.yaml")
        try "bot: echo\nrules:\n  - when: text\n    do:\n      - replly: oops\n".write(
            to: path, atomically: true, encoding: .utf8)
        let outcomes = await harness.server.library.reload(trigger: "test")
        guard case .failed(let message)? = outcomes[path.path] else {
            Issue.record("expected a failed reload, got \(outcomes)")
            return
        }
        #expect(message.contains("echo.yaml:5:9: error: unknown action 'replly' [unknown-action]"))
        #expect(message.contains("did you mean 'reply'?"))
        #expect(try await harness.webhook(textWebhook("hi", id: "w1")) == 200)
        #expect(harness.replies() == ["echo: hi"])
        #expect(harness.server.library.status.first?.lastError?.contains("unknown-action") == true)

        try "bot: echo\nrules:\n  - when: text\n    do:\n      - reply: \"v2 {{ message.text }}\"\n".write(
            to: path, atomically: true, encoding: .utf8)
        #expect(await harness.server.library.reload(trigger: "test")[path.path] == .reloaded)
        #expect(try await harness.webhook(textWebhook("hi", id: "w2")) == 200)
        #expect(harness.replies() == ["v2 hi"])
        #expect(harness.server.library.status.first?.lastError == nil)
        #expect(await harness.server.library.reload(trigger: "test")[path.path] == .unchanged)
    }

    @Test func removedStatesAndTimersAreMigrated() async throws {
        let v1 = """
            bot: flow
            states:
              idle: {}
              waiting: { ttl: 1h }
            timers:
              nudge: 1h
            rules:
              - when: /wait
                do:
                  - goto: waiting
                  - restart_timer: nudge
                  - reply: waiting
              - when: { timer: nudge }
                do:
                  - goto: idle
              - when: message
                do:
                  - reply: "in {{ state.name }}"
            """
        let harness = try ServerHarness(bots: ["flow.yaml": v1])
        #expect(try await harness.webhook(textWebhook("/wait", id: "w1")) == 200)
        let v2 = """
            bot: flow
            states:
              idle: {}
            rules:
              - when: message
                do:
                  - reply: "in {{ state.name }}"
            """
        try v2.write(to: harness.directory.appendingPathComponent("flow.yaml"), atomically: true, encoding: .utf8)
        await harness.server.library.reload(trigger: "test")
        let snapshot = try await harness.storage.load(bot: "flow", userID: "14155550123", now: harness.time.now())
        #expect(snapshot.timers.isEmpty)
        #expect(snapshot.values[.machine] == nil)
        _ = harness.replies()
        #expect(try await harness.webhook(textWebhook("hi", id: "w2")) == 200)
        #expect(harness.replies() == ["in idle"])
    }

    @Test func adminRoutesNeedTheToken() async throws {
        let disabled = try ServerHarness(bots: ["echo.yaml": WebhookTests.echoBot], adminToken: nil)
        #expect(try await disabled.request(.get, "/admin/bots").status == 403)
        let harness = try ServerHarness(bots: ["echo.yaml": WebhookTests.echoBot])
        #expect(try await harness.request(.get, "/admin/bots").status == 401)
        #expect(
            try await harness.request(.post, "/admin/reload", headers: [.authorization: "Bearer wrong"]).status == 401)
        let (status, body) = try await harness.request(
            .get, "/admin/bots", headers: [.authorization: "Bearer \(ServerHarness.adminToken)"])
        #expect(status == 200)
        #expect(body.contains("\"bot\" : \"echo\""))
        #expect(body.contains("\"hash\""))
        #expect(
            try await harness.request(
                .post, "/admin/reload", headers: [.authorization: "Bearer \(ServerHarness.adminToken)"]
            ).status == 200)
    }

    @Test func healthReadinessAndMetrics() async throws {
        let harness = try ServerHarness(bots: ["echo.yaml": WebhookTests.echoBot])
        #expect(try await harness.request(.get, "/healthz").status == 200)
        #expect(try await harness.request(.get, "/readyz").status == 200)
        #expect(try await harness.webhook(textWebhook("hi", id: "w1")) == 200)
        let (status, metrics) = try await harness.request(.get, "/metrics")
        #expect(status == 200)
        #expect(metrics.contains("rulebot_events_total{bot=\"echo\",kind=\"message\"} 1"))
        #expect(metrics.contains("rulebot_rule_firings_total{bot=\"echo\",rule=\"rule-1\"} 1"))
        #expect(metrics.contains("rulebot_replies_sent_total{bot=\"echo\"} 1"))
        #expect(metrics.contains("rulebot_webhook_duration_seconds_bucket"))
        #expect(metrics.contains("rulebot_timers_pending"))
        #expect(metrics.contains("rulebot_outbox_pending 0"), "everything was sent")
        #expect(metrics.contains("rulebot_send_delay_seconds_count 1"), "one reply accepted, its delay timed")
    }

    @Test func severalBotsAreRoutedByPhoneNumberID() async throws {
        let harness = try ServerHarness(bots: [
            "a.yaml": "bot: a\nphone_number_id: \"111\"\nrules:\n  - when: message\n    do: [reply: from a]\n",
            "b.yaml": "bot: b\nphone_number_id: \"222\"\nrules:\n  - when: message\n    do: [reply: from b]\n",
        ])
        #expect(try await harness.webhook(textWebhook("x", id: "w1", phoneNumberID: "222")) == 200)
        #expect(try await harness.webhook(textWebhook("x", id: "w2", phoneNumberID: "111")) == 200)
        #expect(try await harness.webhook(textWebhook("x", id: "w3", phoneNumberID: "999")) == 200)
        #expect(harness.replies() == ["from b", "from a"])
    }

    @Test func configurationReadsEnvironmentDotEnvAndSeedNames() throws {
        let dotEnv = "# comment\nWHATSAPP_TOKEN=from-dotenv\nexport WHATSAPP_PHONE_ID='123'\nPORT=9000 # inline\n"
        let configuration = try ServerConfiguration.from(
            environment: ["WHATSAPP_ACCESS_TOKEN": "from-env", "LOG_LEVEL": "DEBUG"], dotEnv: dotEnv)
        #expect(configuration.accessToken == "from-env")
        #expect(configuration.phoneNumberID == "123")
        #expect(configuration.port == 9000)
        #expect(configuration.logLevel == .debug)
        #expect(throws: CLIError.self) { try ServerConfiguration.from(environment: ["PORT": "eighty"], dotEnv: nil) }
    }
}
