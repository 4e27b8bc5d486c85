import CoreMetrics
import Foundation
import Hummingbird
import Logging
import Runtime

extension RulebotServer {
    /// `GET /readyz`: 200 when storage answers.
    func readiness() async -> Response {
        do {
            _ = try await host.storage.nextTimerDue()
            return Self.text(.ok, "ready\n")
        } catch {
            return Self.text(.serviceUnavailable, "storage unavailable: \(error)\n")
        }
    }

    /// `GET /metrics`: Prometheus text format.
    func metricsResponse() async -> Response {
        if let pending = try? await host.storage.timerCount() { metrics.timersPending.record(pending) }
        metrics.outboxPending.record(host.dispatcher.pendingCount)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
            body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
    }

    /// Runs an admin route only with `Authorization: Bearer $RULEBOT_ADMIN_TOKEN`.
    func admin(_ request: Request, _ body: () async throws -> Response) async throws -> Response {
        guard let token = configuration.adminToken else {
            return Self.text(.forbidden, "admin routes are disabled; set RULEBOT_ADMIN_TOKEN to enable them\n")
        }
        let given = request.headers[.authorization].map { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : "" } ?? ""
        guard Self.constantTimeEqual(given, token) else {
            return Self.text(.unauthorized, "missing or wrong admin token\n")
        }
        do {
            return try await body()
        } catch let refusal as Inspector.Refusal {
            return Self.text(
                refusal.description.contains("window") ? .conflict : .badRequest, refusal.description + "\n")
        }
    }

    /// `POST /admin/reload`.
    func adminReload() async throws -> Response {
        let outcomes = await library.reload(trigger: "admin")
        if let shared = host.storage.shared {
            do {
                _ = try await shared.publishReload()
            } catch {
                logger.error("could not tell other instances to reload", metadata: ["error": "\(error)"])
            }
        }
        struct Report: Encodable {
            var file: String
            var result: String
            var error: String?
        }
        let report = library.paths.map { path -> Report in
            switch outcomes[path] ?? .unchanged {
            case .unchanged: Report(file: path, result: "unchanged")
            case .reloaded: Report(file: path, result: "reloaded")
            case .failed(let message): Report(file: path, result: "failed", error: message)
            }
        }
        let failed = report.contains { $0.result == "failed" }
        return try Self.json(report, status: failed ? .unprocessableContent : .ok)
    }

    /// `GET /admin/bots`.
    func adminBots() throws -> Response {
        try Self.json(library.status)
    }
}
