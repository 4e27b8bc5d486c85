import Foundation
import RuleEngine
import Testing

@testable import Server

/// The console in a real browser (headless Chromium) against `rulebot serve`: log in, open a
/// user's page, pause and resume the bot, and read a trace that explains a rule that did not
/// fire. With RULEBOT_SCREENSHOT=PATH it also saves the user's page (docs/console-user.png).
@Suite(.serialized)
struct ConsoleBrowserTests {
    static let bot = """
        bot: wappa
        phone_number_id: "111"
        states:
          normal: { initial: true }
          wappa:
        rules:
          - id: enter-wappa
            when: /WAPPA
            do: [{ goto: wappa }, { reply: "Welcome to WAPPA" }]
          - id: exit-wappa
            when: /EXIT
            in: wappa
            do: [{ goto: normal }, { reply: "Bye from WAPPA" }]
          - id: exit-not-in-wappa
            when: /EXIT
            do: [{ reply: "You are not in WAPPA." }]
          - id: count
            when: message
            do: [{ increment: user.messages }, { reply: "Message {{ user.messages }}" }]
        """

    @Test(.timeLimit(.minutes(2)))
    func loginUserPagePauseResumeAndWhyNot() async throws {
        guard let executable = Chromium.executable else {
            // CI installs Debian's chromium and sets RULEBOT_REQUIRE_CHROMIUM, so there it cannot pass unseen.
            #expect(ProcessInfo.processInfo.environment["RULEBOT_REQUIRE_CHROMIUM"] == nil, "chromium is not installed")
            return
        }
        let graph = FakeGraphAPI()
        let graphPort = try await graph.start()
        defer { graph.stop() }
        let (server, base, _) = try await EndToEndTests.serve(
            bot: Self.bot, named: "wappa.yaml", graphPort: graphPort,
            environment: ["RULEBOT_ADMIN_TOKEN": "console-secret"])
        defer { if server.isRunning { server.terminate() } }
        let now = Int(Date().timeIntervalSince1970)
        let e2e = EndToEndTests()
        #expect(
            try await e2e.post(base, textWebhook("hello", id: "wamid.b.1", phoneNumberID: "111", timestamp: now)) == 200
        )
        #expect(
            try await e2e.post(base, textWebhook("/EXIT", id: "wamid.b.2", phoneNumberID: "111", timestamp: now + 1))
                == 200)
        try await graph.wait(for: "the answer to /EXIT") {
            $0.contains { $0.body["text"]["body"] == "You are not in WAPPA." }
        }

        let browser = try Chromium(executable: executable)
        defer { browser.quit() }
        try await browser.openPage()
        try await browser.open(base + "/admin/users/14155550123")
        #expect(try await browser.text().contains("Admin token"), "without a session the console asks to log in")
        try await browser.evaluate("document.getElementById('token').value = 'console-secret'")
        try await browser.click("Log in")
        #expect(try await browser.text().contains("wappa: states"))
        try await browser.open(base + "/admin/users/14155550123")
        var page = try await browser.text()
        #expect(page.contains("State normal"))
        #expect(page.contains("The bot answers this user."))
        #expect(page.contains("exit-wappa did not fire: user is in state 'normal', rule needs 'wappa'"))
        #expect(page.contains("exit-not-in-wappa fired"))
        if let path = ProcessInfo.processInfo.environment["RULEBOT_SCREENSHOT"] {
            try await browser.screenshot().write(to: URL(fileURLWithPath: path))
        }

        try await browser.click("Pause the bot")
        page = try await browser.text()
        #expect(page.contains("Paused by console: the bot does not answer."))
        #expect(
            try await e2e.post(base, textWebhook("anyone?", id: "wamid.b.3", phoneNumberID: "111", timestamp: now + 2))
                == 200)
        try await browser.open(base + "/admin/users/14155550123")
        #expect(try await browser.text().contains("paused: an agent has this conversation"))
        try await browser.click("Resume the bot")
        #expect(try await browser.text().contains("The bot answers this user."))
        #expect(!graph.texts.contains("Message 2"), "a paused bot did not answer")
        server.terminate()
        server.waitUntilExit()
    }
}
