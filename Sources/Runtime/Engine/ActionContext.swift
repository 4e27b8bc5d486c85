import Foundation
public import RuleEngine

/// The working copy an event's actions read and change: the user's data, state, timers and
/// outgoing messages. Nothing here performs I/O; the host commits the result in one transaction.
public struct ActionContext: Sendable {
    /// The event being handled.
    public let event: InboundEvent
    /// The time the event is evaluated at (Unix seconds), from the injected clock.
    public let now: Double
    let bot: LoadedBot
    let statsProvider: @Sendable () -> Value
    var snapshot: UserSnapshot
    var commit: UserCommit
    var stopped = false
    var currentRule: RuleNode?
    var deferred: [@Sendable () async throws -> Void] = []
    private var outboxCounter = 0
    /// Free-form messages the current rule could not send because the 24-hour window is closed.
    var refusedInRule = 0
    /// Rules whose free-form messages were dropped outside the window, with no fallback template.
    var refusedRules: [String] = []
    let budget: EvaluationBudget

    package init(
        bot: LoadedBot, snapshot: UserSnapshot, event: InboundEvent, now: Double, stats: @escaping @Sendable () -> Value
    ) {
        self.bot = bot
        self.event = event
        self.now = now
        self.statsProvider = stats
        self.snapshot = snapshot
        self.commit = UserCommit(bot: bot.name, userID: event.userID)
        self.budget = EvaluationBudget(bot.limits)
        dropExpiredState()
    }

    // MARK: Reading

    /// Storage statistics, computed only when a rule reads them.
    var stats: Value { statsProvider() }

    /// The user's current state name; a state the bot no longer declares counts as the initial state.
    public var stateName: String { Self.stateName(of: snapshot, in: bot.graph) }

    /// The state of the user whose data is `snapshot`, as `stateName` reads it.
    static func stateName(of snapshot: UserSnapshot, in graph: RuleGraph) -> String {
        guard let name = snapshot.values[.machine]?.value["name"].string, graph.state(named: name) != nil else {
            return graph.initialState
        }
        return name
    }

    /// When the user last sent a message, as far as the bot has seen (Unix seconds).
    public var lastMessageAt: Double? {
        snapshot.values[ServiceWindow.key]?.value.number
    }

    /// Whether WhatsApp's 24-hour customer-service window is open: always while handling the
    /// user's own message; otherwise until 24 hours after their last one (open when unknown,
    /// for users last seen before the bot kept the time).
    public var windowIsOpen: Bool {
        if case .message = event.kind { return true }
        return lastMessageAt.map { ServiceWindow.isOpen(lastMessage: $0, now: now) } ?? true
    }

    /// The stored value at `key`, or null.
    public func read(_ key: StorageKey) -> Value {
        snapshot.values[key]?.value ?? .null
    }

    /// The value of an expression for this event.
    public func evaluate(_ expression: CompiledExpression) -> Value {
        bot.interpreter.evaluate(expression.root, Variables(context: self))
    }

    /// The values `expression` reads, for a trace: `user.count is 2`, `message.text is "hi"`.
    func describeValues(of expression: CompiledExpression) -> [String] {
        expression.root.paths.prefix(8).map { path, part in
            let value = bot.interpreter.evaluate(part, Variables(context: self))
            let shown = bot.isSensitive(path) ? "•••" : value.traceText
            return "\(path) is \(shown)"
        }
    }

    /// The text of a template for this event.
    public func render(_ template: CompiledTemplate) -> String {
        bot.renderer.render(template, Variables(context: self), budget: budget)
    }

    // MARK: Writing

    /// Writes `value` at `path` inside the stored value at `key`, setting its time-to-live when given.
    public mutating func write(_ key: StorageKey, path: ArraySlice<String> = [], value: Value, ttl: Double?) {
        let current = snapshot.values[key]
        let newValue = path.isEmpty ? value : (current?.value ?? .null).setting(path, to: value)
        let expiresAt = ttl.map { now + $0 } ?? current?.expiresAt
        store(key, StoredValue(newValue, expiresAt: expiresAt))
    }

    /// Appends `item` to the list at `path` inside the stored value at `key` (a missing or
    /// non-list value starts a new list), keeping at most `max` items by dropping the oldest.
    public mutating func append(
        _ item: Value, to key: StorageKey, path: ArraySlice<String> = [], max: Int? = nil, ttl: Double?
    ) {
        let current = snapshot.values[key]
        var list = current?.value ?? .null
        for field in path { list = list[field] }
        var items: [Value] = if case .array(let existing) = list { existing } else { [] }
        let before = items.count
        items.append(item)
        let dropped = max.map { Swift.max(0, items.count - Swift.max($0, 0)) } ?? 0
        items.removeFirst(dropped)
        // The difference is only meaningful for a whole stored list that nothing but appends
        // has changed since it was loaded.
        let untouched = commit.writes[key] == nil || commit.appends[key] != nil
        let delta: ListAppend? =
            if path.isEmpty, untouched, case .array = current?.value {
                Self.extend(commit.appends[key] ?? ListAppend(), before: before, adding: item, dropping: dropped)
            } else { nil }
        write(key, path: path, value: .array(items), ttl: ttl)
        commit.appends[key] = delta
    }

    /// `delta` with `item` added and `dropping` items removed from the front of the list, which
    /// held `before` items: the stored ones still there, then the ones `delta` already adds.
    private static func extend(_ delta: ListAppend, before: Int, adding item: Value, dropping: Int) -> ListAppend {
        var delta = delta
        delta.items.append(item)
        let storedLeft = before - (delta.items.count - 1)
        let fromStored = min(dropping, storedLeft)
        delta.dropFirst += fromStored
        delta.items.removeFirst(dropping - fromStored)
        return delta
    }

    /// Deletes the stored value at `key`, or only the field at `path` inside it.
    public mutating func delete(_ key: StorageKey, path: ArraySlice<String> = []) {
        guard let current = snapshot.values[key] else { return }
        if path.isEmpty {
            store(key, nil)
        } else {
            store(key, StoredValue(current.value.setting(path, to: nil), expiresAt: current.expiresAt))
        }
    }

    /// Moves the user to `state`, clearing the old state's data.
    public mutating func goto(_ state: String) {
        for key in snapshot.values.keys where key.scope == .state {
            store(key, nil)
        }
        let ttl = bot.graph.state(named: state)?.timeToLive
        store(
            .machine,
            StoredValue(.object(["name": .string(state), "entered_at": .double(now)]), expiresAt: ttl.map { now + $0 }))
    }

    /// Starts timer `name` to fire after `seconds` (default: its declared duration).
    /// Unless `restart` is true, a timer that is already running is left alone.
    public mutating func startTimer(_ name: String, after seconds: Double? = nil, restart: Bool) {
        if !restart, snapshot.timers[name] != nil { return }
        let duration = seconds ?? bot.graph.timer(named: name)?.duration ?? 0
        let generation = "\(event.id)/\(name)/\(commit.timers.count)"
        let record = TimerRecord(
            bot: bot.name, userID: event.userID, name: name, startedAt: now, dueAt: now + duration,
            generation: generation)
        snapshot.timers[name] = record
        commit.timers[name] = .start(record)
    }

    /// Stops timer `name` if it is running.
    public mutating func cancelTimer(_ name: String) {
        snapshot.timers[name] = nil
        commit.timers[name] = .cancel
    }

    /// Queues a message to the user.
    ///
    /// Whatever a template rendered, the message keeps to Meta's limits: an interactive body,
    /// header, footer or title that is too long is cut here, with a trace warning, rather than
    /// refused by the Graph API after the commit.
    ///
    /// A free-form message while the 24-hour window is closed is not queued: the rule's
    /// `fallback_template:` goes instead once its actions are done, or it is dropped with a trace
    /// warning, a log line and `rulebot_window_closed_total`.
    public mutating func send(_ body: OutboundMessage.Body, quote: Bool = false, previewURL: Bool? = nil) {
        if body.isFreeForm, !windowIsOpen {
            refusedInRule += 1
            let rule = currentRule?.id ?? "?"
            budget.warnings.append(
                "the 24-hour window closed at \(TimeFormat.format(lastMessageAt.map(ServiceWindow.closes(after:)) ?? now, pattern: "yyyy-MM-dd HH:mm 'UTC'", timeZone: .gmt)); "
                    + "rule '\(rule)' did not send: \(body.display(withIDs: false).prefix(60))")
            return
        }
        let (body, cuts) = body.fittingWhatsAppLimits()
        budget.warnings += cuts
        outboxCounter += 1
        var replyTo: String?
        if quote, case .message(let message) = event.kind { replyTo = message.id }
        commit.outbox.append(
            OutboundMessage(
                // Timer events carry no business number: answer from the bot's own.
                id: "\(event.id)#\(outboxCounter)", bot: bot.name, to: event.userID,
                phoneNumberID: event.phoneNumberID ?? bot.graph.phoneNumberID,
                replyTo: replyTo, body: body, createdAt: now, rule: currentRule?.id, previewURL: previewURL))
    }

    /// Hands off `work` (an HTTP call, or a task registered with `ActionRegistry.registerTask`):
    /// it is committed with this event, carried out after the commit in the user's line, and its
    /// outcome comes back as an event, `when: { response: NAME }` or `when: { call_failed: NAME }`.
    public mutating func startWork(_ work: PendingWork) {
        outboxCounter += 1
        commit.outbox.append(
            OutboundMessage(
                id: "\(event.id)#\(outboxCounter)", bot: bot.name, to: event.userID,
                phoneNumberID: event.phoneNumberID ?? bot.graph.phoneNumberID, body: .work(work), createdAt: now,
                rule: currentRule?.id))
    }

    /// Hands off the registered task `task` with `input`; its result returns as `response: name`.
    public mutating func startTask(_ task: String, input: Value, as name: String) {
        startWork(PendingWork(name: name, kind: .task(task), input: input))
    }

    /// Keeps the time of the user's message that is being handled, which opens the 24-hour window.
    ///
    /// The time is the message's own (when it was sent), not when it is handled, so an event
    /// Meta redelivered late does not stretch the window. A timestamp older than Meta's 7 days
    /// of redelivery, in the future or missing is not one Meta sends: the handling time counts.
    /// It is written only when a minute or more newer than the stored one, so most messages add
    /// no write; the window the bot assumes may then close up to a minute early, never late.
    mutating func noteUserMessage(sentAt timestamp: Double) {
        let plausible = timestamp > now - ServiceWindow.redelivery && timestamp <= now
        let sent = plausible ? timestamp : now
        if let last = lastMessageAt, sent - last < ServiceWindow.granularity { return }
        store(ServiceWindow.key, StoredValue(.double(sent)))
    }

    /// Queues a text message to the user.
    public mutating func reply(_ text: String, quote: Bool = false) {
        send(.text(text), quote: quote)
    }

    /// Evaluates no further rules for this event.
    public mutating func stop() {
        stopped = true
    }

    /// Runs `work` after the event's changes are committed (for I/O such as calling another service).
    public mutating func afterCommit(_ work: @escaping @Sendable () async throws -> Void) {
        deferred.append(work)
    }

    // MARK: Internals

    private mutating func store(_ key: StorageKey, _ value: StoredValue?) {
        snapshot.values[key] = value
        commit.writes[key] = .some(value)
        commit.appends[key] = nil
    }

    /// A state past its time-to-live is as if the user were new to the state machine.
    private mutating func dropExpiredState() {
        guard let machine = snapshot.values[.machine], machine.isExpired(at: now) else { return }
        for key in snapshot.values.keys where key.scope == .state {
            store(key, nil)
        }
    }

    /// Slides the current state's time-to-live forward after a message, as the seed's WAPPA state does.
    mutating func refreshStateTimeToLive() {
        guard case .message = event.kind, let ttl = bot.graph.state(named: stateName)?.timeToLive,
            var machine = snapshot.values[.machine]
        else { return }
        machine.expiresAt = now + ttl
        store(.machine, machine)
    }
}

extension Value {
    /// A copy with the field at `path` set to `value` (or removed when nil), creating objects on the way.
    func setting(_ path: ArraySlice<String>, to value: Value?) -> Value {
        guard let first = path.first else { return value ?? .null }
        var fields: [String: Value] = if case .object(let f) = self { f } else { [:] }
        if path.count == 1 {
            fields[first] = value
        } else {
            fields[first] = (fields[first] ?? .null).setting(path.dropFirst(), to: value)
        }
        return .object(fields)
    }
}
