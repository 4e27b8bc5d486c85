import CoreMetrics
import Dispatch
import Foundation
import Hummingbird
import Logging
import Metrics
import RuleEngine
import Runtime

extension RulebotServer {
    /// `GET /webhook`: Meta's verification handshake; the challenge goes back raw.
    func verify(_ request: Request) -> Response {
        let query = request.uri.queryParameters
        guard let expected = configuration.verifyToken, query["hub.mode"].map(String.init) == "subscribe",
            let token = query["hub.verify_token"].map(String.init), Self.constantTimeEqual(token, expected)
        else {
            return Self.text(.forbidden, "verification failed\n")
        }
        guard let challenge = query["hub.challenge"].map(String.init), !challenge.isEmpty else {
            return Self.text(.badRequest, "hub.challenge is missing\n")
        }
        return Self.text(.ok, challenge)
    }

    /// `POST /webhook`: verify, parse, store durably, answer 200, then process in the background.
    func receive(_ request: Request, context: RulebotRequestContext) async throws -> Response {
        let started = DispatchTime.now()
        defer { metrics.webhookLatency.recordInterval(since: started) }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: configuration.maxBodyBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return answer(.contentTooLarge, "body larger than \(configuration.maxBodyBytes) bytes\n")
        }
        let bytes = Array(buffer.readableBytesView)
        if let signatures, !signatures.isValid(header: Self.signatureHeader(request), body: bytes) {
            logger.warning("webhook with a bad or missing signature refused")
            return answer(.unauthorized, "bad signature\n")
        }
        let json: Value
        do {
            json = try JSONParser.parse(bytes)
        } catch {
            return answer(.badRequest, "body is not JSON\n")
        }
        let parsed = WebhookPayload.parse(json)
        if parsed.skipped > 0 {
            logger.warning("webhook items without required fields skipped", metadata: ["count": "\(parsed.skipped)"])
        }
        var entries: [InboxEntry] = []
        for item in Self.ordered(parsed.items) {
            guard let bot = library.route(phoneNumberID: item.phoneNumberID) else {
                logger.warning(
                    "no bot serves this phone number id; event ignored",
                    metadata: ["phone_number_id": "\(item.phoneNumberID ?? "none")"])
                continue
            }
            entries.append(InboxEntry(bot: bot, event: item.event))
        }
        guard !entries.isEmpty else { return answer(.ok, "ok\n") }
        let accepted: [InboxEntry]
        do {
            accepted = try await host.storage.accept(entries, rememberUntil: host.time.now() + InboxEntry.dedupeWindow)
        } catch {
            // Not stored, so not acknowledged: Meta will deliver it again.
            logger.error("could not store webhook events", metadata: ["error": "\(error)"])
            return answer(.serviceUnavailable, "storage unavailable\n")
        }
        if accepted.count < entries.count {
            metrics.count("rulebot_duplicates_total", by: entries.count - accepted.count)
        }
        process(accepted)
        return answer(.ok, "ok\n")
    }

    /// Handles accepted events in the background, each user's in order, their turns taken now.
    func process(_ entries: [InboxEntry]) {
        for userEntries in entries.groupedByUser() {
            inFlight.spawn(host.work(for: userEntries))
        }
    }

    private func answer(_ status: HTTPResponse.Status, _ body: String) -> Response {
        metrics.count("rulebot_webhooks_total", [("status", "\(status.code)")])
        return Self.text(status, body)
    }

    /// Items of one delivery in a per-user order by timestamp (statuses ranked sent < delivered < read).
    static func ordered(_ items: [WebhookPayload.Item]) -> [WebhookPayload.Item] {
        guard items.count > 1 else { return items }
        let rank = statusRank
        return items.enumerated().sorted { a, b in
            let (x, y) = (a.element, b.element)
            if x.timestamp != y.timestamp { return x.timestamp < y.timestamp }
            if case .status(let s) = x.event.kind, case .status(let t) = y.event.kind, rank[s.status] != rank[t.status]
            {
                return (rank[s.status] ?? 9) < (rank[t.status] ?? 9)
            }
            return a.offset < b.offset
        }.map(\.element)
    }

    private static let statusRank = ["sent": 0, "delivered": 1, "read": 2, "played": 3, "failed": 4]

    static func signatureHeader(_ request: Request) -> String? {
        request.headers.first { $0.name.canonicalName == "x-hub-signature-256" }?.value
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) {
            difference |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return difference == 0
    }
}
