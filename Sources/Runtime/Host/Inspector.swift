import Foundation
public import RuleEngine

/// What an operator sees of a user and may do for them: the state, data, timers, outbox and
/// decision traces, and reset, erase, pause, resume and send. The admin API, the console and
/// `rulebot inspect`/`why`/`users` all go through it, so they show the same thing.
public struct Inspector: Sendable {
    let host: BotHost

    /// An inspector of `host`'s bots and storage.
    public init(host: BotHost) {
        self.host = host
    }

    /// Why an operation could not be done.
    public struct Refusal: Error, CustomStringConvertible {
        /// What to tell the operator.
        public var description: String

        /// A refusal saying `description`.
        public init(description: String) {
            self.description = description
        }
    }

    /// The bot called `name`, or the only one when `name` is nil.
    public func bot(_ name: String?) throws -> LoadedBot {
        let all = host.bots.all
        if let name {
            guard let bot = host.bots[name] else {
                throw Refusal(description: "no bot '\(name)'; the bots: \(all.map(\.name).joined(separator: ", "))")
            }
            return bot
        }
        guard all.count == 1, let only = all.first else {
            throw Refusal(description: "several bots run here; name one: \(all.map(\.name).joined(separator: ", "))")
        }
        return only
    }

    /// One line per user: state and since when, last message, window, pause, version.
    public func summary(_ bot: LoadedBot, userID: String) async throws -> Value {
        let now = host.time.now()
        let snapshot = try await host.storage.load(bot: bot.name, userID: userID, now: now)
        return Self.summary(snapshot, bot: bot, now: now)
    }

    static func summary(_ snapshot: UserSnapshot, bot: LoadedBot, now: Double) -> Value {
        let last = snapshot.values[ServiceWindow.key]?.value.number
        var fields: [String: Value] = [
            "user": .string(snapshot.userID),
            "state": .string(ActionContext.stateName(of: snapshot, in: bot.graph)),
            "since": snapshot.values[.machine]?.value["entered_at"] ?? .null,
            "last_message_at": last.map(Value.double) ?? .null,
            "window_open": .bool(last.map { ServiceWindow.isOpen(lastMessage: $0, now: now) } ?? false),
            "paused": .bool(snapshot.values[Takeover.key] != nil),
            "version": snapshot.values[BotVersion.key]?.value ?? .null,
        ]
        if let paused = snapshot.values[Takeover.key]?.value { fields["paused_by"] = paused["by"] }
        return .object(fields)
    }

    /// Users of `bot`, optionally only those in `state` or whose number contains `query`.
    public func users(_ bot: LoadedBot, state: String? = nil, query: String? = nil, limit: Int = 200) async throws
        -> [Value]
    {
        let now = host.time.now()
        var found: [Value] = []
        for user in try await host.storage.users(bot: bot.name, limit: 100_000)
        where query.map({ user.contains($0.filter(\.isNumber)) }) ?? true {
            let snapshot = try await host.storage.load(bot: bot.name, userID: user, now: now)
            let line = Self.summary(snapshot, bot: bot, now: now)
            if let state, line["state"].string != state { continue }
            found.append(line)
            if found.count >= limit { break }
        }
        return found
    }

    /// Everything about one user: the summary, stored data with time-to-live, timers, outbox.
    public func inspect(_ bot: LoadedBot, userID: String) async throws -> Value {
        let now = host.time.now()
        let snapshot = try await host.storage.load(bot: bot.name, userID: userID, now: now)
        guard case .object(var fields) = Self.summary(snapshot, bot: bot, now: now) else { return .null }
        fields["data"] = .array(
            snapshot.values.sorted { $0.key < $1.key }.filter { !$0.key.key.hasPrefix("@") }.map { key, stored in
                let path = key.description
                return .object([
                    "key": .string(path), "value": bot.graph.isSensitive(path) ? "•••" : stored.value,
                    "expires_at": stored.expiresAt.map(Value.double) ?? .null,
                ])
            })
        fields["timers"] = .array(
            snapshot.timers.values.sorted { $0.dueAt < $1.dueAt }.map {
                .object(["name": .string($0.name), "due_at": .double($0.dueAt), "started_at": .double($0.startedAt)])
            })
        fields["outbox"] = .array(
            try await host.storage.pendingOutbox(limit: 10_000).filter { $0.bot == bot.name && $0.to == userID }.map {
                .object([
                    "id": .string($0.id), "text": .string($0.detailedText), "created_at": .double($0.createdAt),
                ])
            })
        return .object(fields)
    }

    /// The user's newest `last` decision traces, newest first.
    public func traces(_ bot: LoadedBot, userID: String, last: Int = 50) async throws -> [StoredTrace] {
        Array(try await host.traces(bot: bot.name, userID: userID).prefix(last))
    }

    /// Back to the initial state, the state's data gone; other data and timers stay.
    public func reset(_ bot: LoadedBot, userID: String) async throws {
        let snapshot = try await host.storage.load(bot: bot.name, userID: userID, now: host.time.now())
        var commit = UserCommit(bot: bot.name, userID: userID)
        for key in snapshot.values.keys where key.scope == .state { commit.writes[key] = .some(nil) }
        try await host.storage.commit(commit)
    }

    /// Everything kept about the user (data, timers, messages not yet sent, traces) erased.
    public func erase(_ bot: LoadedBot, userID: String) async throws {
        let now = host.time.now()
        let snapshot = try await host.storage.load(bot: bot.name, userID: userID, now: now)
        var commit = UserCommit(bot: bot.name, userID: userID)
        for key in snapshot.values.keys { commit.writes[key] = .some(nil) }
        for name in snapshot.timers.keys { commit.timers[name] = .cancel }
        try await host.storage.commit(commit)
        let traces = try await host.storage.load(bot: TraceSettings.namespace(bot.name), userID: userID, now: now)
        var forget = UserCommit(bot: TraceSettings.namespace(bot.name), userID: userID)
        for key in traces.values.keys { forget.writes[key] = .some(nil) }
        try await host.storage.commit(forget)
        let unsent = try await host.storage.pendingOutbox(limit: 100_000).filter {
            $0.bot == bot.name && $0.to == userID
        }
        try await host.storage.removeOutbox(ids: unsent.map(\.id))
    }

    /// Pauses the bot for the user (an agent takes over) or resumes it, sending `resumed`.
    public func setPaused(_ paused: Bool, _ bot: LoadedBot, userID: String, by agent: String) async throws {
        let now = host.time.now()
        try await host.storage.commit(
            Takeover.commit(bot: bot.name, userID: userID, paused: paused, by: agent, at: now))
        if !paused {
            let entry = Takeover.resumed(bot: bot.name, userID: userID, by: agent, at: now)
            let accepted = try await host.storage.accept([entry], rememberUntil: now + InboxEntry.dedupeWindow)
            for entry in accepted { await host.handle(entry, fromInbox: true) }
        }
    }

    /// Sends `text` to the user as an agent, through the outbox; refused once the user's 24-hour
    /// window is closed (WhatsApp would refuse it too).
    public func send(_ text: String, _ bot: LoadedBot, userID: String, by agent: String) async throws -> String {
        let now = host.time.now()
        let snapshot = try await host.storage.load(bot: bot.name, userID: userID, now: now)
        guard let last = snapshot.values[ServiceWindow.key]?.value.number,
            ServiceWindow.isOpen(lastMessage: last, now: now)
        else {
            throw Refusal(
                description:
                    "the user's 24-hour window is closed (or they never wrote): WhatsApp allows only template messages")
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= WhatsAppLimits.textBody else {
            throw Refusal(description: "a message is 1 to \(WhatsAppLimits.textBody) characters")
        }
        var commit = UserCommit(bot: bot.name, userID: userID)
        let message = OutboundMessage(
            id: "agent:\(UUID().uuidString)", bot: bot.name, to: userID, phoneNumberID: bot.graph.phoneNumberID,
            body: .text(trimmed), createdAt: now, rule: "agent:\(agent)")
        commit.outbox = [message]
        try await host.storage.commit(commit)
        host.dispatcher.enqueue([message])
        if host.sending == .inline { await host.sendDue() }
        return message.id
    }
}
