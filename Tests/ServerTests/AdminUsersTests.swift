import Foundation
import HTTPTypes
import RuleEngine
import Runtime
import Testing

@testable import Server

/// The admin API about users: traces that say why a rule did not fire, the user's data with
/// sensitive keys masked, human takeover, reset, erase and an agent's message.
struct AdminUsersTests {
    static let bot = """
        bot: desk
        sensitive: [user.email]
        states:
          normal: { initial: true }
          wappa:
        rules:
          - id: enter
            when: /WAPPA
            do: [{ goto: wappa }, { reply: in }]
          - id: exit
            when: /EXIT
            in: wappa
            do: [{ goto: normal }, { reply: out }]
          - id: count
            when: message
            if: user.count == 3
            do: [{ reply: three }]
          - id: store
            when: message
            do:
              - increment: user.count
              - set: { key: user.email, value: ana@example.org }
              - reply: "got {{ message.text }}"
          - when: resumed
            do: [{ reply: "I'm back" }]
        """

    func admin(_ harness: ServerHarness, _ method: HTTPRequest.Method, _ path: String, body: String = "") async throws
        -> (status: Int, json: Value)
    {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(ServerHarness.adminToken)"
        let answer = try await harness.request(method, path, body: Array(body.utf8), headers: headers)
        await harness.settle()
        return (answer.status, (try? JSONParser.parse(answer.body)) ?? .string(answer.body))
    }

    func say(_ harness: ServerHarness, _ text: String, id: String) async throws {
        let now = Int(harness.time.now())
        #expect(try await harness.webhook(textWebhook(text, from: "34600111222", id: id, timestamp: now)) == 200)
    }

    @Test func tracesSayWhyARuleDidNotFireAndWhichDid() async throws {
        let harness = try ServerHarness(bots: ["desk.yaml": Self.bot])
        try await say(harness, "/EXIT", id: "w1")
        let (status, traces) = try await admin(harness, .get, "/admin/users/34600111222/traces")
        #expect(status == 200)
        let trace = traces.items.first ?? .null
        #expect(trace["event"] == "text \"/EXIT\"")
        let rules = trace["rules"].items
        #expect(
            rules.contains { $0["id"] == "exit" && $0["reason"] == "user is in state 'normal', rule needs 'wappa'" })
        #expect(
            rules.contains {
                $0["id"] == "count" && $0["reason"] == "condition 'user.count == 3' is false: user.count is missing"
            })
        #expect(rules.contains { $0["id"] == "store" && $0["fired"] == true })
        #expect(trace["writes"].items.contains("user.email = •••"))
        #expect(trace["replies"].items.first?["text"] == "got /EXIT")
        #expect(!traces.jsonText.contains("ana@example.org"))
        let (_, user) = try await admin(harness, .get, "/admin/users/34600111222")
        #expect(user["state"] == "normal" && user["version"].string?.count == 16)
        #expect(user["data"].items.contains { $0["key"] == "user.email" && $0["value"] == "•••" })
        #expect(user["data"].items.contains { $0["key"] == "user.count" && $0["value"] == .int(1) })
    }

    @Test func aPausedUserIsNotAnsweredUntilResumed() async throws {
        let harness = try ServerHarness(bots: ["desk.yaml": Self.bot])
        try await say(harness, "hello", id: "p1")
        #expect(harness.replies() == ["got hello"])
        #expect(
            try await admin(harness, .post, "/admin/users/34600111222/pause", body: #"{"agent": "Lucía"}"#).status
                == 200)
        try await say(harness, "is anyone there?", id: "p2")
        #expect(harness.replies().isEmpty)
        let (_, traces) = try await admin(harness, .get, "/admin/users/34600111222/traces?last=1")
        #expect(traces.items.first?["notes"].items.first?.string?.hasPrefix("paused") == true)
        let (_, listed) = try await admin(harness, .get, "/admin/users?state=normal")
        #expect(listed["users"].items.first?["paused"] == true && listed["users"].items.first?["paused_by"] == "Lucía")
        #expect(
            try await admin(harness, .post, "/admin/users/34600111222/send", body: #"{"text": "Hi, Lucía here"}"#)
                .status == 200)
        #expect(harness.replies() == ["Hi, Lucía here"])
        #expect(try await admin(harness, .post, "/admin/users/34600111222/resume").status == 200)
        #expect(harness.replies() == ["I'm back"])
        try await say(harness, "thanks", id: "p3")
        #expect(harness.replies() == ["got thanks"])
    }

    @Test func resetEraseAndAClosedWindow() async throws {
        let harness = try ServerHarness(bots: ["desk.yaml": Self.bot])
        try await say(harness, "/WAPPA", id: "r1")
        _ = harness.replies()
        #expect(try await admin(harness, .get, "/admin/users?state=wappa").json["users"].items.count == 1)
        #expect(try await admin(harness, .post, "/admin/users/34600111222/reset").status == 200)
        #expect(try await admin(harness, .get, "/admin/users/34600111222").json["state"] == "normal")
        harness.time.advance(by: 25 * 3600)
        let refused = try await admin(harness, .post, "/admin/users/34600111222/send", body: #"{"text": "hello?"}"#)
        #expect(refused.status == 409 && refused.json.string?.contains("window is closed") == true)
        #expect(try await admin(harness, .post, "/admin/users/34600111222/erase").status == 200)
        #expect(try await admin(harness, .get, "/admin/users").json["users"].items.isEmpty)
        #expect(try await admin(harness, .get, "/admin/users/34600111222/traces").json.items.isEmpty)
        #expect(try await admin(harness, .post, "/admin/users/34600111222/explode").status == 404)
        #expect(try await harness.request(.get, "/admin/users").status == 401)
    }
}
