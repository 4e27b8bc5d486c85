import RuleEngine

/// Builds the stored trace of one evaluated event and the commit that keeps it.
enum TraceRecorder {
    /// The trace of `evaluation`, the user's `sequence`-th.
    static func trace(
        _ entry: InboxEntry, evaluation: Evaluation, before snapshot: UserSnapshot, bot: LoadedBot, sequence: Int,
        at now: Double
    ) -> StoredTrace {
        let stateBefore = ActionContext.stateName(of: snapshot, in: bot.graph)
        let machine = evaluation.commit.writes[.machine] ?? nil
        let stateAfter = machine?.value["name"].string ?? stateBefore
        let rules = evaluation.trace.entries.map { line -> StoredTrace.Rule in
            switch line.outcome {
            case .fired: StoredTrace.Rule(id: line.ruleID, location: "\(line.location)", fired: true)
            case .skipped(let reason):
                StoredTrace.Rule(
                    id: line.ruleID, location: "\(line.location)", fired: false,
                    reason: reason.description + (line.values.isEmpty ? "" : ": " + line.values.joined(separator: ", "))
                )
            }
        }
        var writes: [String] = []
        for (key, value) in evaluation.commit.writes.sorted(by: { $0.key < $1.key }) where !key.key.hasPrefix("@") {
            let path = key.description
            if let value {
                writes.append("\(path) = \(bot.graph.isSensitive(path) ? "•••" : value.value.traceText)")
            } else {
                writes.append("\(path) deleted")
            }
        }
        let timers = evaluation.commit.timers.sorted { $0.key < $1.key }.compactMap { name, change -> String? in
            switch change {
            case .start(let record): "start \(name), due at \(Int(record.dueAt))"
            case .cancel: "cancel \(name)"
            case .fired: nil
            }
        }
        let replies = evaluation.commit.outbox.compactMap { message -> StoredTrace.Reply? in
            if case .markRead(_, false) = message.body { return nil }
            return StoredTrace.Reply(outboxID: message.id, text: String(message.detailedText.prefix(2000)))
        }
        var notes = evaluation.trace.warnings
        if let note = evaluation.trace.note { notes.insert(note, at: 0) }
        return StoredTrace(
            sequence: sequence, at: now, eventID: entry.event.id, event: describe(entry.event), version: bot.version,
            stateBefore: stateBefore, stateAfter: stateAfter, rules: rules, writes: writes, timers: timers,
            replies: replies, notes: notes, outcome: outcome(of: entry.event))
    }

    /// The commit that keeps `trace` in the bot's trace namespace, in slot `sequence % perUser`.
    static func commit(_ trace: StoredTrace, bot: String, userID: String, settings: TraceSettings) -> UserCommit {
        var commit = UserCommit(bot: TraceSettings.namespace(bot), userID: userID)
        let value = (try? ValueEncoder.encode(trace)) ?? .null
        commit.writes[StorageKey(.table, "t\(trace.sequence % max(settings.perUser, 1))")] = StoredValue(
            value, expiresAt: trace.at + settings.retention)
        return commit
    }

    /// For a status or a failed send, the reply it is about and what became of it.
    static func outcome(of event: InboundEvent) -> StoredTrace.ReplyOutcome? {
        switch event.kind {
        case .status(let status):
            return status.callback.flatMap(SendCallback.init(text:)).map {
                StoredTrace.ReplyOutcome(outboxID: $0.outboxID, status: status.status)
            }
        case .sendFailed(let failure): return StoredTrace.ReplyOutcome(outboxID: failure.outboxID, status: "failed")
        default: return nil
        }
    }

    /// The event in a few words.
    static func describe(_ event: InboundEvent) -> String {
        switch event.kind {
        case .message(let m):
            if let button = m.buttonID { return "tap \(button)" + (m.buttonTitle.map { " (\($0))" } ?? "") }
            if m.type == "text", let text = m.text { return "text \(Value.string(text).traceText)" }
            return m.type + (m.caption.map { " \(Value.string($0).traceText)" } ?? "")
        case .timer(let firing): return "timer \(firing.name)"
        case .status(let status):
            let about = status.callback.flatMap(SendCallback.init(text:)).map { " of \($0.outboxID)" } ?? ""
            return "status \(status.status)\(about)" + (status.errorCodes.first.map { " (error \($0))" } ?? "")
        case .sendFailed(let failure): return "send failed of \(failure.outboxID): \(failure.reason)"
        case .workResult(let result):
            return result.ok
                ? "response \(result.name) (\(result.status.map(String.init) ?? "ok"))"
                : "call_failed \(result.name): \(result.reason ?? "")"
        case .business(let event): return "event \(event.name) (\(event.id))"
        }
    }
}
