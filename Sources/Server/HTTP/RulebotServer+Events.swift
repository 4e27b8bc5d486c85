import Foundation
import Hummingbird
import Logging
import RuleEngine
import Runtime

/// `POST /api/events`: the business tells a user's bot that something happened (an order
/// shipped, a payment arrived). Each event is kept in the inbox before the `202`, so it is
/// handled even after a crash, once per id, in the user's line, by `when: { event: NAME }`.
///
/// ```json
/// {"user": "34600111222", "event": "order_shipped", "id": "evt-81", "data": {"order": "A-1"}}
/// {"events": [{…}, {…}]}
/// ```
extension RulebotServer {
    /// The most events one request may carry.
    static let maximumEventsPerRequest = 10_000

    func receiveEvents(_ request: Request, context: RulebotRequestContext) async throws -> Response {
        guard let token = configuration.apiToken else {
            return Self.text(.forbidden, "the events API is disabled; set RULEBOT_API_TOKEN to enable it\n")
        }
        let given = request.headers[.authorization].map { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : "" } ?? ""
        guard Self.constantTimeEqual(given, token) else {
            return Self.text(.unauthorized, "missing or wrong API token\n")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: configuration.maxBodyBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return Self.text(.contentTooLarge, "body larger than \(configuration.maxBodyBytes) bytes\n")
        }
        let json: Value
        do { json = try JSONParser.parse(Array(buffer.readableBytesView)) } catch {
            return Self.text(.badRequest, "body is not JSON\n")
        }
        let items: [Value] = if case .array(let list) = json["events"] { list } else { [json] }
        guard items.count <= Self.maximumEventsPerRequest else {
            return Self.text(.contentTooLarge, "at most \(Self.maximumEventsPerRequest) events per request\n")
        }
        var entries: [InboxEntry] = []
        var problems: [String] = []
        for (index, item) in items.enumerated() {
            switch businessEntry(item) {
            case .success(let entry): entries.append(entry)
            case .failure(let problem): problems.append("event \(index + 1): \(problem.reason)")
            }
        }
        guard problems.isEmpty else {
            return Self.text(.badRequest, problems.prefix(20).joined(separator: "\n") + "\n")
        }
        let accepted: [InboxEntry]
        do {
            accepted = try await host.storage.accept(entries, rememberUntil: host.time.now() + InboxEntry.dedupeWindow)
        } catch {
            logger.error("could not store business events", metadata: ["error": "\(error)"])
            return Self.text(.serviceUnavailable, "storage unavailable; nothing was accepted\n")
        }
        metrics.count("rulebot_business_events_total", by: accepted.count)
        process(accepted)
        return try Self.json(
            ["accepted": accepted.count, "duplicates": entries.count - accepted.count], status: .accepted)
    }

    struct EventProblem: Error {
        var reason: String
    }

    /// The inbox entry for one event of the request, or what is wrong with it.
    func businessEntry(_ item: Value) -> Result<InboxEntry, EventProblem> {
        guard let user = item["user"].string, WhatsAppLimits.isRecipient(user) else {
            return .failure(EventProblem(reason: "'user' must be the user's WhatsApp number, digits only"))
        }
        guard let name = item["event"].string, !name.isEmpty, name.count <= 100,
            name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" })
        else {
            return .failure(EventProblem(reason: "'event' must be a name: letters, digits, '_' and '-'"))
        }
        guard let id = item["id"].string, !id.isEmpty, id.utf8.count <= 256 else {
            return .failure(EventProblem(reason: "'id' must be text of 1 to 256 bytes; a repeated id is handled once"))
        }
        let bots = host.bots.all
        let bot: LoadedBot?
        if let named = item["bot"].string {
            bot = host.bots[named]
        } else {
            bot = bots.count == 1 ? bots.first : nil
        }
        guard let bot else {
            return .failure(
                EventProblem(
                    reason: "'bot' must name one of the bots served: "
                        + bots.map(\.name).joined(separator: ", ")))
        }
        let event = InboundEvent(
            id: "event:" + id, userID: user, phoneNumberID: bot.graph.phoneNumberID ?? configuration.phoneNumberID,
            kind: .business(BusinessEvent(name: name, data: item["data"], id: id)))
        return .success(InboxEntry(bot: bot.name, event: event))
    }
}
