import ArgumentParser
import Foundation
import RuleEngine
import Runtime

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `rulebot send-event`: posts a business event to a running server's `/api/events`.
struct SendEventCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send-event",
        abstract: "Tell a running bot that something happened for a user (POST /api/events).",
        discussion: """
            The bot's 'when: { event: NAME }' rules handle it in the user's order. An id posted twice is
            handled once. The token is --token or RULEBOT_API_TOKEN.

              rulebot send-event --user 34600111222 --event order_shipped --id A-1 --data '{"order": "A-1"}'
            """)

    @Option(help: "The server's base URL.")
    var server = "http://127.0.0.1:8080"

    @Option(help: "The API token (default: RULEBOT_API_TOKEN).")
    var token: String?

    @Option(help: "The user's WhatsApp number, digits only.")
    var user: String

    @Option(help: "The event's name, as rules match it.")
    var event: String

    @Option(help: "An id for the event; the same id again is handled once.")
    var id: String

    @Option(help: "The event's data as JSON, read by rules as event.data.")
    var data: String?

    @Option(help: "The bot, when the server runs several.")
    var bot: String?

    func run() async throws {
        guard let token = token ?? ProcessInfo.processInfo.environment["RULEBOT_API_TOKEN"] else {
            throw CLIError("no API token: pass --token or set RULEBOT_API_TOKEN")
        }
        var body: [String: Value] = ["user": .string(user), "event": .string(event), "id": .string(id)]
        if let data {
            do { body["data"] = try JSONParser.parse(data) } catch {
                throw CLIError("--data is not JSON: \(error)")
            }
        }
        if let bot { body["bot"] = .string(bot) }
        guard let url = URL(string: server.trimmingCharacters(in: ["/"]) + "/api/events") else {
            throw CLIError("'\(server)' is not a URL")
        }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(Value.object(body).jsonText.utf8)
        let (answer, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let text = String(decoding: answer, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard status == 202 else { throw CLIError("the server answered \(status): \(text)") }
        print(text)
    }
}
