import Foundation
import HTTPTypes
import RuleEngine
import Runtime
import Testing

@testable import Server

/// The web console: login gives an HttpOnly, SameSite=Strict session; every state-changing
/// form needs the session's CSRF token; nothing under /admin answers without a session or the
/// token; what users typed is shown as text, never as markup.
struct ConsoleTests {
    static let bot = """
        bot: desk
        states: { normal: { initial: true }, wappa: }
        rules:
          - id: exit
            when: /EXIT
            in: wappa
            do: [{ goto: normal }]
          - id: echo
            when: message
            do: [{ set: { key: user.last, value: "=message.text" } }, { reply: ok }]
        """

    func browser(
        _ harness: ServerHarness, _ method: HTTPRequest.Method, _ path: String, cookie: String? = nil,
        form: String = ""
    ) async throws -> (status: Int, body: String, headers: HTTPFields) {
        var headers = HTTPFields()
        headers[.accept] = "text/html"
        if let cookie { headers[.cookie] = cookie }
        if !form.isEmpty { headers[.contentType] = "application/x-www-form-urlencoded" }
        return try await harness.requestWithHeaders(method, path, body: Array(form.utf8), headers: headers)
    }

    func login(_ harness: ServerHarness) async throws -> (cookie: String, csrf: String) {
        let answer = try await browser(harness, .post, "/admin/login", form: "token=\(ServerHarness.adminToken)")
        #expect(answer.status == 303)
        let setCookie = try #require(answer.headers[.setCookie])
        #expect(
            setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/admin")
        )
        let cookie = String(setCookie.split(separator: ";")[0])
        let page = try await browser(harness, .get, "/admin/", cookie: cookie)
        let csrf = try #require(page.body.firstMatch(of: /name="csrf" value="([0-9a-f]{64})"/)?.output.1)
        return (cookie, String(csrf))
    }

    @Test func nothingAnswersWithoutASessionOrTheToken() async throws {
        let harness = try ServerHarness(bots: ["desk.yaml": Self.bot])
        for path in ["/admin/", "/admin/users", "/admin/users/34600111222", "/admin/bots"] {
            #expect(try await browser(harness, .get, path).status == 303, "\(path)")
            #expect(try await harness.request(.get, path).status == 401, "\(path)")
            #expect(try await browser(harness, .get, path, cookie: "rulebot_session=forged").status == 303)
        }
        #expect(try await browser(harness, .post, "/admin/users/34600111222/reset").status == 303)
        let wrong = try await browser(harness, .post, "/admin/login", form: "token=guess")
        #expect(wrong.status == 401 && wrong.headers[.setCookie] == nil)
    }

    @Test func formsNeedTheSessionsCSRFToken() async throws {
        let harness = try ServerHarness(bots: ["desk.yaml": Self.bot])
        #expect(
            try await harness.webhook(textWebhook("hi", from: "34600111222", id: "c1", timestamp: 1_767_261_600)) == 200
        )
        let (cookie, csrf) = try await login(harness)
        let forged = try await browser(harness, .post, "/admin/users/34600111222/pause", cookie: cookie, form: "csrf=0")
        #expect(forged.status == 403)
        #expect(try await browser(harness, .post, "/admin/users/34600111222/pause", cookie: cookie).status == 403)
        let page = try await browser(harness, .get, "/admin/users/34600111222", cookie: cookie)
        #expect(page.body.contains("The bot answers this user."))
        let paused = try await browser(
            harness, .post, "/admin/users/34600111222/pause", cookie: cookie, form: "csrf=\(csrf)")
        #expect(paused.status == 303 && paused.headers[.location]?.hasPrefix("/admin/users/34600111222") == true)
        #expect(
            try await browser(harness, .get, "/admin/users/34600111222", cookie: cookie).body.contains(
                "Paused by console"))
        let out = try await browser(harness, .post, "/admin/logout", cookie: cookie, form: "csrf=\(csrf)")
        #expect(out.status == 303)
        #expect(try await browser(harness, .get, "/admin/", cookie: cookie).status == 303)
    }

    @Test func whatUsersTypedIsTextNotMarkup() async throws {
        let harness = try ServerHarness(bots: ["desk.yaml": Self.bot])
        let hostile = "<script>alert(1)</script>"
        #expect(
            try await harness.webhook(textWebhook(hostile, from: "34600111222", id: "x1", timestamp: 1_767_261_600))
                == 200)
        let (cookie, _) = try await login(harness)
        let page = try await browser(harness, .get, "/admin/users/34600111222", cookie: cookie)
        #expect(!page.body.contains("<script>"))
        #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
        let users = try await browser(harness, .get, "/admin/users?state=normal", cookie: cookie)
        #expect(users.body.contains("34600111222"))
        #expect(
            try await browser(harness, .get, "/admin/users?state=wappa", cookie: cookie).body.contains(
                "No users match."))
    }
}
