import Foundation
import Hummingbird
import Logging
import RuleEngine
import Runtime

/// The admin API about users (`RULEBOT_ADMIN_TOKEN`): list and search them, see one with their
/// decision traces, and act for them: reset, erase, pause and resume (human takeover), send.
///
/// `GET /admin/users?bot=B&state=S&q=DIGITS`, `GET /admin/users/ID`, `GET /admin/users/ID/traces?last=N`,
/// `POST /admin/users/ID/{reset,erase,pause,resume}`, `POST /admin/users/ID/send` with `{"text": …}`.
extension RulebotServer {
    var inspector: Inspector { Inspector(host: host) }

    func addUserRoutes(to router: Router<RulebotRequestContext>) {
        router.get("/admin/users") { request, _ in
            try await self.admin(request) { access, _ in
                let query = request.uri.queryParameters
                let bot = try self.inspector.bot(query["bot"].map(String.init))
                let state = query["state"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
                let search = query["q"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
                let users = try await self.inspector.users(
                    bot, state: state, query: search, limit: query["limit"].flatMap { Int($0) } ?? 200)
                if Self.wantsHTML(request) {
                    return Self.html(
                        ConsolePages.users(bot, users: users, state: state, query: search, csrf: access.csrf))
                }
                return try Self.value(.object(["bot": .string(bot.name), "users": .array(users)]))
            }
        }
        router.get("/admin/users/:user") { request, context in
            try await self.admin(request) { access, _ in
                let (bot, user) = try self.target(request, context)
                let inspected = try await self.inspector.inspect(bot, userID: user)
                if Self.wantsHTML(request) {
                    let traces = try await self.inspector.traces(bot, userID: user, last: 50)
                    return Self.html(ConsolePages.user(bot, inspected, traces: traces, csrf: access.csrf))
                }
                return try Self.value(inspected)
            }
        }
        router.get("/admin/users/:user/traces") { request, context in
            try await self.admin(request) { _, _ in
                let (bot, user) = try self.target(request, context)
                let last = request.uri.queryParameters["last"].flatMap { Int($0) } ?? 50
                let traces = try await self.inspector.traces(bot, userID: user, last: last)
                return try Self.json(traces)
            }
        }
        router.post("/admin/users/:user/:action") { request, context in
            try await self.admin(request) { access, body in
                let (bot, user) = try self.target(request, context)
                let json: Value =
                    switch access {
                    case .token: (try? JSONParser.parse(body)) ?? .null
                    case .session:
                        .object(
                            FormBody.parse(String(decoding: body, as: UTF8.self)).mapValues(Value.string)
                                .merging(["agent": "console"]) { own, _ in own })
                    }
                let response = try await self.act(context.parameters.get("action") ?? "", bot, user: user, json: json)
                guard access.csrf != nil, (200..<300).contains(response.status.code) else { return response }
                // A console form goes back to the user's page.
                let page =
                    "/admin/users/\(user)?bot=\(bot.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
                return Response(status: .seeOther, headers: [.location: page])
            }
        }
    }

    /// Does `action` for `user`; the answer says what was done.
    func act(_ action: String, _ bot: LoadedBot, user: String, json: Value) async throws -> Response {
        let agent = json["agent"].string ?? "admin"
        switch action {
        case "reset": try await inspector.reset(bot, userID: user)
        case "erase": try await inspector.erase(bot, userID: user)
        case "pause": try await inspector.setPaused(true, bot, userID: user, by: agent)
        case "resume": try await inspector.setPaused(false, bot, userID: user, by: agent)
        case "send":
            let id = try await inspector.send(json["text"].string ?? "", bot, userID: user, by: agent)
            return try Self.value(.object(["sent": .string(id)]))
        default:
            return Self.text(.notFound, "no action '\(action)'; use reset, erase, pause, resume or send\n")
        }
        logger.notice(
            "admin action",
            metadata: ["action": "\(action)", "bot.name": "\(bot.name)", "user.id": "\(PhoneMask.mask(user))"])
        return try Self.value(.object(["done": .string(action), "user": .string(user)]))
    }

    private func target(_ request: Request, _ context: RulebotRequestContext) throws -> (LoadedBot, String) {
        let bot = try inspector.bot(request.uri.queryParameters["bot"].map(String.init))
        guard let user = context.parameters.get("user"), WhatsAppLimits.isRecipient(user) else {
            throw Inspector.Refusal(description: "a user is their WhatsApp number, digits only")
        }
        return (bot, user)
    }

    static func value(_ value: Value, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: value.jsonText + "\n")))
    }
}
