import Foundation
import RuleEngine
import Runtime

/// The console's pages, server-rendered and usable without JavaScript.
enum ConsolePages {
    private static func e(_ text: String) -> String { HTML.escape(text) }

    static func time(_ value: Value) -> String {
        guard let seconds = value.number else { return "—" }
        return ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: seconds))
    }

    static func login(error: String?) -> String {
        HTML.page(
            title: "Log in",
            body: """
                \(error.map { "<p class=\"error\" role=\"alert\">\(e($0))</p>" } ?? "")
                <form method="post" action="/admin/login">
                <label for="token">Admin token (RULEBOT_ADMIN_TOKEN)</label>
                <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
                <p><button type="submit">Log in</button></p></form>
                """, loggedIn: false)
    }

    static func bots(
        _ files: [BotLibrary.FileStatus], history: [BotLibrary.HistoryEntry], bots: [LoadedBot], metrics: String,
        csrf: String?
    ) -> String {
        var body =
            "<h2>Bots</h2><table><thead><tr><th>Bot</th><th>File</th><th>Version</th><th>Loaded</th></tr></thead><tbody>"
        for file in files {
            body += "<tr><td>\(e(file.bot ?? "—"))</td><td>\(e(file.file))</td><td>\(e(file.hash ?? "—"))</td>"
            body += "<td>\(time(file.loadedAt.map(Value.double) ?? .null))"
            body += file.rolledBackTo.map { ", rolled back to \(e($0))" } ?? ""
            body += "</td></tr>"
            if let error = file.lastError {
                body +=
                    "<tr><td colspan=\"4\"><p class=\"error\">The last reload failed; the previous version still runs:</p><pre>\(e(error))</pre></td></tr>"
            }
        }
        body += "</tbody></table><h2>Reloads</h2><ul>"
        body += history.map { "<li>\(time(.double($0.at))) \(e($0.file)): \(e($0.result)) \(e($0.version ?? ""))</li>" }
            .joined()
        body += history.isEmpty ? "<li>none since the start</li></ul>" : "</ul>"
        for bot in bots {
            body += "<h2>\(e(bot.name)): states and what moves users between them</h2>"
            body += "<figure class=\"graph\">" + GraphExporter.export(bot.graph, as: .svg) + "</figure>"
            body += "<details><summary>The same as a list</summary>" + stateMap(bot.graph) + "</details>"
            body += "<p><a href=\"/admin/users?bot=\(e(bot.name))\">Users of \(e(bot.name))</a></p>"
        }
        body += "<h2>Metrics</h2><table><tbody>"
        for line in metrics.split(separator: "\n") where line.hasPrefix("rulebot_") && !line.contains("_bucket") {
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { continue }
            body += "<tr><td>\(e(String(parts[0])))</td><td>\(e(String(parts[1])))</td></tr>"
        }
        body += "</tbody></table>"
        return HTML.page(title: "Bots", body: body, csrf: csrf)
    }

    /// The state machine as a picture in HTML: each state, and the rules that move users from it.
    static func stateMap(_ graph: RuleGraph) -> String {
        var out = "<div class=\"actions\">"
        for state in graph.states {
            let moves = graph.rules.filter { $0.states.isEmpty || $0.states.contains(state.name) }.flatMap { rule in
                rule.actions.flatMap(\.entersStates).filter { $0 != state.name }.map { (rule.trigger.label, $0) }
            }
            out += "<section class=\"event\" aria-label=\"state \(e(state.name))\"><strong>\(e(state.name))</strong>"
            out += state.name == graph.initialState ? " (initial)" : ""
            out += "<ul>" + moves.map { "<li>\(e($0.0)) → \(e($0.1))</li>" }.joined()
            if let ttl = state.timeToLive { out += "<li>after \(Int(ttl)) s quiet → \(e(graph.initialState))</li>" }
            out += "</ul></section>"
        }
        return out + "</div>"
    }

    static func users(_ bot: LoadedBot, users: [Value], state: String?, query: String?, csrf: String?) -> String {
        let states = bot.graph.states.map(\.name)
        var body = """
            <form method="get" action="/admin/users"><input type="hidden" name="bot" value="\(e(bot.name))">
            <label for="q">Phone number contains</label><input id="q" name="q" inputmode="numeric" value="\(e(query ?? ""))">
            <label for="state">State</label><select id="state" name="state"><option value="">any</option>
            """
        body += states.map { "<option\($0 == state ? " selected" : "")>\(e($0))</option>" }.joined()
        body += "</select> <button type=\"submit\">Search</button></form>"
        body += "<table><thead><tr><th>User</th><th>State</th><th>Last message</th><th></th></tr></thead><tbody>"
        for user in users {
            let id = user["user"].text
            body += "<tr><td><a href=\"/admin/users/\(e(id))?bot=\(e(bot.name))\">\(e(id))</a></td>"
            body += "<td>\(e(user["state"].text))</td><td>\(time(user["last_message_at"]))</td>"
            body += "<td>\(user["paused"] == .bool(true) ? "paused" : "")</td></tr>"
        }
        body += "</tbody></table>"
        if users.isEmpty { body += "<p>No users match.</p>" }
        return HTML.page(title: "Users of \(bot.name)", body: body, csrf: csrf)
    }

    static func user(_ bot: LoadedBot, _ user: Value, traces: [StoredTrace], csrf: String?) -> String {
        let id = user["user"].text
        let paused = user["paused"] == .bool(true)
        func action(_ name: String, _ label: String, danger: Bool = false) -> String {
            """
            <form method="post" action="/admin/users/\(e(id))/\(name)?bot=\(e(bot.name))" class="inline">\
            \(HTML.csrfField(csrf))<button type="submit"\(danger ? " class=\"danger\"" : "")>\(label)</button></form>
            """
        }
        var body = """
            <p>State <strong id="state">\(e(user["state"].text))</strong>\(user["since"] == .null ? "" : " since \(time(user["since"]))").
            Last message \(time(user["last_message_at"])); the 24-hour window is \(user["window_open"] == .bool(true) ? "open" : "closed").
            Bot version \(e(user["version"].text)).</p>
            <p id="takeover">\(paused ? "Paused by \(e(user["paused_by"].text)): the bot does not answer." : "The bot answers this user.")</p>
            <div class="actions">\(paused ? action("resume", "Resume the bot") : action("pause", "Pause the bot (take over)"))
            \(action("reset", "Reset to \(e(bot.graph.initialState))"))\(action("erase", "Erase everything", danger: true))</div>
            <form method="post" action="/admin/users/\(e(id))/send?bot=\(e(bot.name))">\(HTML.csrfField(csrf))
            <label for="text">Send a message as an agent</label><input id="text" name="text" required maxlength="4096">
            <button type="submit">Send</button></form>
            <h2>Data</h2><table><tbody>
            """
        for item in user["data"].items {
            body += "<tr><th scope=\"row\">\(e(item["key"].text))</th><td>\(e(item["value"].traceText))</td>"
            body += "<td>\(item["expires_at"] == .null ? "" : "expires \(time(item["expires_at"]))")</td></tr>"
        }
        body += "</tbody></table><h2>Timers</h2><ul>"
        body += user["timers"].items.map { "<li>\(e($0["name"].text)) due \(time($0["due_at"]))</li>" }.joined()
        body += "</ul><h2>Waiting to be sent</h2><ul>"
        body += user["outbox"].items.map { "<li><pre>\(e($0["text"].text))</pre></li>" }.joined()
        body += "</ul><h2>What happened, newest first</h2>"
        // Statuses arrive later than the reply they report on: the newest says where it is now.
        var outcomes: [String: String] = [:]
        for trace in traces.reversed() {
            if let outcome = trace.outcome { outcomes[outcome.outboxID] = outcome.status }
        }
        for trace in traces {
            body += "<section class=\"event\"><h3>#\(trace.sequence) \(e(trace.event))</h3>"
            body += "<p>\(time(.double(trace.at))), state \(e(trace.stateBefore))"
            body += trace.stateAfter == trace.stateBefore ? "" : " → \(e(trace.stateAfter))"
            body += "</p><ul>"
            body += trace.notes.map { "<li class=\"note\">\(e($0))</li>" }.joined()
            for rule in trace.rules {
                body +=
                    rule.fired
                    ? "<li class=\"fired\">✓ \(e(rule.id)) fired</li>"
                    : "<li class=\"skipped\">✗ \(e(rule.id)) did not fire: \(e(rule.reason ?? ""))</li>"
            }
            body += trace.writes.map { "<li>= \(e($0))</li>" }.joined()
            body += trace.timers.map { "<li>⏱ \(e($0))</li>" }.joined()
            body += trace.replies.map { reply in
                "<li>→ <span class=\"reply\">\(e(reply.text))</span>"
                    + (outcomes[reply.outboxID].map { " <em>(\(e($0)))</em>" } ?? "") + "</li>"
            }.joined()
            body += "</ul></section>"
        }
        if traces.isEmpty { body += "<p>No traces kept for this user.</p>" }
        return HTML.page(title: "User \(id)", body: body, csrf: csrf)
    }
}
