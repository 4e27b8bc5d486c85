import ConversationTesting
import Foundation
import RuleEngine
import Runtime
import Testing

/// Conversation tests answer calls from mocks by name; a call with no mock, or a request that
/// lacks what the test expects, fails the test saying so.
struct CallMockTests {
    static let bot = """
        apis: { desk: { base_url: "https://desk.example.org", headers: { Authorization: "Bearer ${TOKEN}" } } }
        rules:
          - when: message
            do:
              - call: { api: desk, method: POST, path: /tickets, body: { text: "=message.text" }, as: ticket }
          - when: { response: ticket }
            do: [{ reply: "ticket {{ response.json.id }}" }]
          - when: { call_failed: ticket }
            do: [{ reply: "failed: {{ response.reason }}" }]
        """

    func run(_ tests: String) async throws -> [ConversationResult] {
        let compiled = BotCompiler().compile(source: Self.bot, file: "bot.yaml")
        let bot = try LoadedBot(graph: try #require(compiled.graph))
        let source = "bot: bot.yaml\nenv: { TOKEN: t }\n" + tests
        let (spec, diagnostics) = ConversationParser.parse(source: source, file: "test.yaml")
        #expect(
            diagnostics.filter { $0.severity == .error }.isEmpty,
            "\(DiagnosticRenderer(source: source).render(diagnostics))")
        return await ConversationRunner(bot: bot).run(try #require(spec))
    }

    @Test func aCallWithoutAMockFailsTheTestNamingIt() async throws {
        let results = try await run(
            """
            tests:
              - name: no mock
                steps:
                  - send: printer
            """)
        let failure = try #require(results.first?.failure)
        #expect(failure.contains("the bot called POST https://desk.example.org/tickets as 'ticket'"))
        #expect(failure.contains("gives no mock"))
    }

    @Test func mocksAnswerAndCalledChecksTheRequest() async throws {
        let results = try await run(
            """
            calls:
              ticket: { status: 201, json: { id: 9 } }
            tests:
              - name: answered
                steps:
                  - send: printer
                  - called: { name: ticket, body: { text: printer } }
                  - reply: ticket 9
              - name: a wrong body is named
                steps:
                  - send: printer
                  - called: { name: ticket, body: { text: scanner } }
              - name: a test's own mock wins
                calls:
                  ticket: { status: 404 }
                steps:
                  - send: printer
                  - reply: "failed: HTTP 404 from desk"
            """)
        #expect(results.map(\.passed) == [true, false, true], "\(results.map { $0.failure ?? "" })")
        #expect(results[1].failure?.contains("without text = \"scanner\"") == true)
    }
}
