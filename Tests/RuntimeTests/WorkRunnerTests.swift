import Foundation
import RuleEngine
import Synchronization
import Testing

@testable import Runtime

/// Calls through the work runner: when they are tried again and with which key, when they fail
/// for good and why, and that no secret ends up in what the rules or the logs see.
struct WorkRunnerTests {
    /// Answers with the scripted attempts in turn, recording every request.
    final class ScriptedPerformer: HTTPPerformer {
        let script: Mutex<[HTTPAttempt]>
        let requests = Mutex<[HTTPRequestSpec]>([])

        init(_ script: [HTTPAttempt]) {
            self.script = Mutex(script)
        }

        func perform(_ request: HTTPRequestSpec, name: String) async -> HTTPAttempt {
            requests.withLock { $0.append(request) }
            return script.withLock { $0.isEmpty ? .networkError("script ended") : $0.removeFirst() }
        }
    }

    static let bot = """
        apis:
          desk: { base_url: "https://desk.example.org/api/", headers: { Authorization: "Bearer ${DESK_TOKEN}" }, attempts: 3 }
          nokey: { base_url: "https://desk.example.org", headers: { X-Key: "${MISSING}" } }
        rules:
          - when: message
            do:
              - call: { api: desk, path: "/tickets/{{ message.text }}", query: { q: "=message.text" }, body: { a: 1 }, as: t }
        """

    func run(_ script: [HTTPAttempt], api: String = "desk") async throws -> (
        steps: [WorkRunner.Step], requests: [HTTPRequestSpec]
    ) {
        let bot = try loadBot(Self.bot)
        let performer = ScriptedPerformer(script)
        let runner = WorkRunner(
            bots: BotSet([bot]), performer: performer, environment: { $0 == "DESK_TOKEN" ? "s3cret-token" : nil })
        let call = HTTPCall(
            api: api, method: "POST", path: "/tickets/a b", query: ["q": "a&b"], body: .object(["a": 1]))
        let message = OutboundMessage(
            id: "wamid.1#1", bot: bot.name, to: "7", body: .work(PendingWork(name: "t", kind: .http(call))),
            createdAt: 0)
        var steps: [WorkRunner.Step] = []
        for _ in 0..<5 {
            let step = await runner.perform(PendingWork(name: "t", kind: .http(call)), of: message)
            steps.append(step)
            if step.result != nil { break }
        }
        return (steps, performer.requests.withLock { $0 })
    }

    @Test func aServerErrorIsTriedAgainWithTheSameKey() async throws {
        let (steps, requests) = try await run([
            .response(status: 503, headers: ["retry-after": "2"], body: []),
            .networkError("connection reset"),
            .response(status: 201, headers: ["x-id": "9"], body: Array(#"{"id": 4711}"#.utf8)),
        ])
        #expect(steps.count == 3)
        #expect(steps[0].outcome == .retry(after: 2, reason: "HTTP 503 from desk"))
        let result = try #require(steps.last?.result)
        #expect(result.ok && result.status == 201 && result.json["id"] == .int(4711) && result.attempts == 3)
        #expect(result.headers["x-id"] == "9")
        #expect(Set(requests.map { $0.headers["Idempotency-Key"] }) == ["wamid.1#1"])
        #expect(requests[0].url == "https://desk.example.org/api/tickets/a%20b?q=a%26b")
        #expect(requests[0].headers["Authorization"] == "Bearer s3cret-token")
        #expect(requests[0].body == Array(#"{"a":1}"#.utf8))
    }

    @Test func attemptsRunOutIntoCallFailed() async throws {
        let (steps, requests) = try await run(
            Array(repeating: .response(status: 500, headers: [:], body: []), count: 5))
        #expect(requests.count == 3)
        let result = try #require(steps.last?.result)
        #expect(!result.ok && result.status == 500 && result.reason == "HTTP 500 from desk after 3 attempts")
    }

    @Test func aClientErrorATimeoutOrARefusalFailsAtOnce() async throws {
        for (attempt, reason) in [
            (
                HTTPAttempt.response(status: 422, headers: [:], body: Array(#"{"error": "bad email"}"#.utf8)),
                "HTTP 422 from desk"
            ),
            (.timeout, "no answer from desk within 10 s"),
            (.refused("a redirect to another host (evil.example)"), "a redirect to another host (evil.example)"),
        ] {
            let (steps, requests) = try await run([attempt])
            #expect(requests.count == 1 && steps.count == 1)
            #expect(steps[0].result?.ok == false && steps[0].result?.reason == reason)
        }
        let (steps, _) = try await run([
            .response(status: 422, headers: [:], body: Array(#"{"error": "bad email"}"#.utf8))
        ])
        #expect(steps[0].result?.json["error"] == "bad email")
    }

    @Test func aMissingSecretNamesTheVariableNeverAValue() async throws {
        let (steps, requests) = try await run([], api: "nokey")
        #expect(requests.isEmpty)
        #expect(steps[0].result?.reason == "the environment variable MISSING is not set")
        let (other, _) = try await run([.refused("x")], api: "unknown")
        #expect(other[0].result?.reason == "the bot declares no API 'unknown'")
    }

    @Test func aRegisteredTaskReturnsItsValueOrItsError() async throws {
        var registry = ActionRegistry.builtIn
        registry.registerTask("double") { input in .int((input.number.map { Int($0) } ?? 0) * 2) }
        registry.registerTask("fail") { _ in throw RuntimeError.action("no luck") }
        let runner = WorkRunner(bots: BotSet(), performer: ScriptedPerformer([]), registry: registry)
        let message = OutboundMessage(id: "m", bot: "b", to: "7", body: .text(""), createdAt: 0)
        let doubled = await runner.perform(PendingWork(name: "d", kind: .task("double"), input: 21), of: message)
        #expect(doubled.result?.ok == true && doubled.result?.json == .int(42))
        let failed = await runner.perform(PendingWork(name: "f", kind: .task("fail"), input: .null), of: message)
        #expect(failed.result?.ok == false && failed.result?.reason?.contains("no luck") == true)
        let missing = await runner.perform(PendingWork(name: "x", kind: .task("nope"), input: .null), of: message)
        #expect(missing.result?.reason == "no task 'nope' is registered")
    }

    @Test func theAnswerComesBackThroughTheInboxAsAnEvent() async throws {
        let bot = try loadBot(
            """
            apis: { desk: { base_url: "https://desk.example.org" } }
            rules:
              - when: message
                do:
                  - reply: creating
                  - call: { api: desk, method: POST, path: /tickets, body: { text: "=message.text" }, as: ticket }
              - when: { response: ticket }
                do:
                  - reply: "ticket {{ response.json.id }} ({{ response.status }})"
              - when: { call_failed: ticket }
                do:
                  - reply: "failed: {{ response.reason }}"
            """)
        let storage = MemoryStorage()
        let sender = RecordingSender()
        let performer = ScriptedPerformer([.response(status: 201, headers: [:], body: Array(#"{"id": 7}"#.utf8))])
        let bots = BotSet([bot])
        let host = BotHost(
            bots: bots, storage: storage,
            sender: WorkingSender(messages: sender, runner: WorkRunner(bots: bots, performer: performer)),
            time: VirtualTime(start: 1000))
        await host.handle(InboxEntry(bot: bot.name, event: .message("broken", from: "7", at: 1000)))
        #expect(sender.sent.map(\.displayText) == ["creating", "ticket 7 (201)"])
        #expect(performer.requests.withLock { $0.first?.body } == Array(#"{"text":"broken"}"#.utf8))
        #expect(try await storage.pendingOutbox(limit: 10).isEmpty)
        #expect(try await storage.pendingInbox(limit: 10).isEmpty)
    }
}
