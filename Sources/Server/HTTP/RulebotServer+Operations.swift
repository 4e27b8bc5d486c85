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
    /// How a request to `/admin` was let in.
    enum Access {
        /// With the admin token (`Authorization: Bearer`): the JSON API.
        case token
        /// With a console session cookie; its CSRF token was checked on every POST.
        case session(csrf: String)

        var csrf: String? {
            if case .session(let csrf) = self { return csrf }
            return nil
        }
    }

    /// Runs `body` for a request carrying the admin token or a console session, after reading
    /// its body (at most 64 KB); a POST through a session must carry the session's CSRF token
    /// (form field `csrf`). A browser without a session is sent to the login page.
    func admin(_ request: Request, _ body: (Access, [UInt8]) async throws -> Response) async throws -> Response {
        guard let token = configuration.adminToken else {
            return Self.text(.forbidden, "admin routes are disabled; set RULEBOT_ADMIN_TOKEN to enable them\n")
        }
        let bytes = Array(try await request.body.collect(upTo: 64 * 1024).readableBytesView)
        let access: Access
        if let header = request.headers[.authorization] {
            let given = header.hasPrefix("Bearer ") ? String(header.dropFirst(7)) : ""
            guard Self.constantTimeEqual(given, token) else {
                return Self.text(.unauthorized, "missing or wrong admin token\n")
            }
            access = .token
        } else if let session = sessions.session(
            ConsoleSessions.sessionID(inCookieHeader: request.headers[.cookie]), now: host.time.now())
        {
            if request.method != .get {
                let form = FormBody.parse(String(decoding: bytes, as: UTF8.self))
                guard let given = form["csrf"], Self.constantTimeEqual(given, session.csrf) else {
                    return Self.text(.forbidden, "missing or wrong CSRF token; reload the page and try again\n")
                }
            }
            access = .session(csrf: session.csrf)
        } else if Self.wantsHTML(request) {
            return Response(status: .seeOther, headers: [.location: "/admin/login"])
        } else {
            return Self.text(.unauthorized, "missing or wrong admin token\n")
        }
        do {
            return try await body(access, bytes)
        } catch let refusal as Inspector.Refusal {
            return Self.text(
                refusal.description.contains("window") ? .conflict : .badRequest, refusal.description + "\n")
        }
    }

    /// Whether the request comes from a browser page rather than the JSON API.
    static func wantsHTML(_ request: Request) -> Bool {
        request.headers[.accept]?.contains("text/html") == true
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
