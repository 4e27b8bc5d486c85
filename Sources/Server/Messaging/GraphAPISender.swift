import Foundation
import Logging
import RuleEngine
import Runtime
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Sends messages through the WhatsApp Cloud API with URLSession (libcurl on Linux).
///
/// Long texts go out as several messages; when a later part fails temporarily, the retry
/// continues from that part instead of repeating the ones already delivered.
public final class GraphAPISender: MessageSender {
    private let baseURL: URL
    private let token: String
    private let defaultPhoneNumberID: String
    private let lanes: SessionLanes<URLSession>
    private let logger: Logger
    private let progress = Mutex<[String: Int]>([:])

    /// A sender posting to `baseURL/{phone-number-id}/messages` with `token`, up to `connections`
    /// at once over sessions of four connections each (`SessionLanes`); the dispatcher paces the rate.
    public init(baseURL: URL, token: String, defaultPhoneNumberID: String, connections: Int = 64, logger: Logger) {
        self.baseURL = baseURL
        self.token = token
        self.defaultPhoneNumberID = defaultPhoneNumberID
        self.lanes = SessionLanes(connections: connections) { configuration in
            configuration.timeoutIntervalForRequest = 20
            return URLSession(configuration: configuration)
        }
        self.logger = logger
    }

    /// The bot's number, else the configured one.
    public func sendingNumber(for message: OutboundMessage) -> String {
        message.phoneNumberID ?? defaultPhoneNumberID
    }

    /// One POST per part: a long text is several.
    public func requestCount(for message: OutboundMessage) -> Int {
        GraphPayload.requestCount(for: message)
    }

    /// Sends one message (several requests for a long text), continuing after the last delivered part.
    public func send(_ message: OutboundMessage) async -> SendOutcome {
        let phoneNumberID = sendingNumber(for: message)
        if let problem = GraphRequestCheck.problem(with: message, phoneNumberID: phoneNumberID) {
            return .failed(reason: "invalid request: \(problem)")
        }
        let bodies = GraphPayload.bodies(for: message)
        guard !bodies.isEmpty else { return .failed(reason: "not a WhatsApp message; nothing to send") }
        let start = progress.withLock { $0[message.id] ?? 0 }
        for index in start..<bodies.count {
            let outcome = await post(bodies[index], phoneNumberID: phoneNumberID, message: message)
            guard case .sent = outcome else {
                progress.withLock { $0[message.id] = index }
                if case .failed(let reason) = outcome, reason.hasPrefix("access token") {
                    logger.critical(
                        "WhatsApp rejected the access token; no message can be sent until it is replaced",
                        metadata: ["reason": "\(reason)"])
                }
                if case .failed = outcome { progress.withLock { $0[message.id] = nil } }
                return outcome
            }
        }
        progress.withLock { $0[message.id] = nil }
        return .sent
    }

    private func post(_ body: Value, phoneNumberID: String, message: OutboundMessage) async -> SendOutcome {
        var request = URLRequest(url: baseURL.appendingPathComponent(phoneNumberID).appendingPathComponent("messages"))
        request.httpMethod = "POST"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        do {
            request.httpBody = Data(body.storageJSON.utf8)
            let (data, response) = try await lanes.withLane { try await $0.data(for: request) }
            guard let http = response as? HTTPURLResponse else { return .retry(after: 1, reason: "no HTTP response") }
            let retryAfter = http.value(forHTTPHeaderField: "Retry-After").flatMap(Double.init)
            let outcome = GraphError.outcome(status: http.statusCode, body: data, retryAfter: retryAfter)
            if case .sent = outcome, logger.logLevel <= .debug {
                // The wamid WhatsApp gave the message: its statuses name it, and echo the rule and outbox id.
                let wamid = (try? JSONDecoder().decode(Value.self, from: data))?["messages"].items.first?["id"].string
                logger.debug(
                    "message accepted",
                    metadata: [
                        "wamid": "\(wamid ?? "none")", "outbox.id": "\(message.id)",
                        "rule.id": "\(message.rule ?? "none")",
                    ])
            }
            return outcome
        } catch {
            return .retry(after: 1, reason: "network: \(error.localizedDescription)")
        }
    }
}
