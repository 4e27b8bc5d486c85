import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Runtime

/// The web console's own routes: login, logout and the front page. The user pages are the
/// admin API's routes answered as HTML when a browser asks (`Accept: text/html`).
extension RulebotServer {
    func addConsoleRoutes(to router: Router<RulebotRequestContext>) {
        router.get("/admin/login") { _, _ in Self.html(ConsolePages.login(error: nil)) }
        router.post("/admin/login") { request, _ in
            let body = try await request.body.collect(upTo: 8 * 1024)
            let form = FormBody.parse(String(decoding: body.readableBytesView, as: UTF8.self))
            guard let token = self.configuration.adminToken else {
                return Self.html(
                    ConsolePages.login(error: "The console is disabled: set RULEBOT_ADMIN_TOKEN."), .forbidden)
            }
            guard let given = form["token"], Self.constantTimeEqual(given, token) else {
                self.logger.warning("console login refused")
                return Self.html(ConsolePages.login(error: "That is not the admin token."), .unauthorized)
            }
            let session = self.sessions.create(now: self.host.time.now())
            return Response(
                status: .seeOther,
                headers: [
                    .location: "/admin/",
                    .setCookie:
                        "\(ConsoleSessions.cookieName)=\(session.id); Path=/admin; HttpOnly; SameSite=Strict; Max-Age=\(Int(ConsoleSessions.lifetime))",
                ])
        }
        router.post("/admin/logout") { request, _ in
            try await self.admin(request) { _, _ in
                self.sessions.end(ConsoleSessions.sessionID(inCookieHeader: request.headers[.cookie]))
                return Response(
                    status: .seeOther,
                    headers: [
                        .location: "/admin/login",
                        .setCookie: "\(ConsoleSessions.cookieName)=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0",
                    ])
            }
        }
        router.get("/admin/") { request, _ in
            try await self.admin(request) { access, _ in
                Self.html(
                    ConsolePages.bots(
                        self.library.status, history: self.library.history, bots: self.host.bots.all,
                        metrics: self.metrics.render(), csrf: access.csrf))
            }
        }
    }

    static func html(_ page: String, _ status: HTTPResponse.Status = .ok) -> Response {
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8",
            // Nothing is loaded from anywhere but this server; no page may frame the console.
            .contentSecurityPolicy: "default-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ]
        if let name = HTTPField.Name("X-Content-Type-Options") { headers[name] = "nosniff" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
    }
}
