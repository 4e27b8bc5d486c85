public import RuleEngine

/// The result of evaluating one event: what to commit, what to do after, and why.
public struct Evaluation: Sendable {
    /// The changes to write atomically.
    public var commit: UserCommit
    /// Why each rule fired or not.
    public var trace: Trace
    /// Ids of the rules that fired, in order.
    public var firedRules: [String]
    /// Work custom actions asked to run after the commit.
    public var afterCommit: [@Sendable () async throws -> Void]
    /// Rules whose free-form messages were dropped because the 24-hour window was closed and
    /// they have no `fallback_template:`.
    public var closedWindowRules: [String] = []
}

/// Evaluates a bot's rules for one event. A pure function of (bot, user data, event, now):
/// no clock, storage or network, so it is replayable and its traces are exact.
public enum Evaluator {
    /// Evaluates `event` for the user whose data is `snapshot`.
    ///
    /// With `recordTrace` false (the server's hot path) the trace stays empty.
    /// Rules are tried in file order; the first that matches fires, and evaluation stops there
    /// unless the rule says `continue: true`. With `traceAll`, rules whose trigger does not
    /// match are listed in the trace too (slower; for `--trace`).
    public static func evaluate(
        _ bot: LoadedBot, snapshot: UserSnapshot, event: InboundEvent, now: Double,
        stats: @escaping @Sendable @autoclosure () -> Value = .null,
        traceAll: Bool = false, recordTrace: Bool = true
    ) throws(RuntimeError) -> Evaluation {
        var context = ActionContext(bot: bot, snapshot: snapshot, event: event, now: now, stats: stats)
        let tracing = recordTrace || traceAll
        var trace = Trace()
        var fired: [String] = []

        if case .timer(let firing) = event.kind {
            guard context.snapshot.timers[firing.name]?.generation == firing.generation else {
                trace.note = "timer '\(firing.name)' was restarted or cancelled since it was scheduled; ignored"
                return Evaluation(commit: context.commit, trace: trace, firedRules: [], afterCommit: [])
            }
            context.snapshot.timers[firing.name] = nil
            context.commit.timers[firing.name] = .fired(generation: firing.generation)
        }
        if case .message(let message) = event.kind { context.noteUserMessage(sentAt: message.timestamp) }
        // An agent took the conversation over: events are kept and traced, not answered.
        if context.snapshot.values[Takeover.key] != nil, !event.isResume {
            trace.note = "paused: an agent has this conversation; the bot does not answer until it is resumed"
            return Evaluation(commit: context.commit, trace: trace, firedRules: [], afterCommit: [])
        }

        let graph = bot.graph
        let candidates = traceAll ? Array(graph.rules.indices) : Self.candidates(graph.dispatch, for: event)
        for index in candidates {
            let rule = graph.rules[index]
            guard TriggerMatcher.matches(rule.trigger, event, regexes: bot.interpreter.regexes) else {
                if tracing {
                    trace.entries.append(
                        .init(
                            ruleID: rule.id, location: rule.location,
                            outcome: .skipped(.trigger(rule.trigger))))
                }
                continue
            }
            let state = context.stateName
            if !rule.states.isEmpty, !rule.states.contains(state) {
                if tracing {
                    trace.entries.append(
                        .init(
                            ruleID: rule.id, location: rule.location,
                            outcome: .skipped(.state(current: state, needed: rule.states))))
                }
                continue
            }
            if let condition = rule.condition, !context.evaluate(condition).isTruthy {
                if tracing {
                    trace.entries.append(
                        .init(
                            ruleID: rule.id, location: rule.location,
                            outcome: .skipped(.condition(condition.source)),
                            values: context.describeValues(of: condition)))
                }
                continue
            }
            context.currentRule = rule
            context.refusedInRule = 0
            for action in bot.actions[index] { try run(action, of: rule, in: &context) }
            if context.refusedInRule > 0 {
                // The fallback template goes only when the window refused the rule's messages.
                if let fallback = bot.fallbacks[index] {
                    context.budget.warnings.append("sent the fallback template of rule '\(rule.id)' instead")
                    try run(fallback, of: rule, in: &context)
                } else {
                    context.refusedRules.append(rule.id)
                }
            }
            if tracing {
                trace.entries.append(.init(ruleID: rule.id, location: rule.location, outcome: .fired))
            }
            fired.append(rule.id)
            if context.stopped || !rule.continues { break }
        }
        context.refreshStateTimeToLive()
        trace.warnings = context.budget.warnings
        return Evaluation(
            commit: context.commit, trace: trace, firedRules: fired, afterCommit: context.deferred,
            closedWindowRules: context.refusedRules)
    }

    /// Runs one action of `rule`, its errors and a passed budget located at the rule.
    private static func run(_ action: BoundAction, of rule: RuleNode, in context: inout ActionContext)
        throws(RuntimeError)
    {
        do {
            try action.run(&context)
            if let reason = context.budget.exhausted {
                throw RuntimeError.budget(reason)
            }
        } catch let error as RuntimeError {
            throw error.located(at: rule.location, context: "action '\(action.name)' in rule '\(rule.id)' failed")
        } catch {
            throw RuntimeError.action(
                "action '\(action.name)' in rule '\(rule.id)' failed: \(error)", at: rule.location)
        }
    }

    static func candidates(_ dispatch: Dispatch, for event: InboundEvent) -> [Int] {
        switch event.kind {
        case .timer(let firing):
            return dispatch.byTimer[firing.name] ?? []
        case .status(let status):
            return status.status == "failed" ? Dispatch.merge([dispatch.status, dispatch.sendFailed]) : dispatch.status
        case .sendFailed:
            return dispatch.sendFailed
        case .workResult(let result):
            return (result.ok ? dispatch.byResponse[result.name] : dispatch.byCallFailure[result.name]) ?? []
        case .business(let event):
            return dispatch.byEvent[event.name] ?? []
        case .message(let message):
            var lists = [dispatch.anyMessage, dispatch.byType[message.type] ?? []]
            if let command = message.command {
                lists.append(dispatch.byCommand[command.lowercased()] ?? [])
                lists.append(dispatch.anyCommand)
            }
            if message.type == "text" { lists.append(dispatch.byText) }
            if let button = message.buttonID { lists.append(dispatch.byButton[button] ?? []) }
            return Dispatch.merge(lists)
        }
    }
}

/// Whether a trigger matches an event, exactly (dispatch only narrows the candidates).
enum TriggerMatcher {
    static func matches(_ trigger: Trigger, _ event: InboundEvent, regexes: RegexCache) -> Bool {
        switch (trigger, event.kind) {
        case (.timer(let name), .timer(let firing)): return name == firing.name
        case (.status(let statuses), .status(let status)): return statuses.isEmpty || statuses.contains(status.status)
        case (.anyMessage, .message): return true
        case (.messageTypes(let types), .message(let m)): return types.contains(m.type)
        case (.commands(let commands, let caseSensitive), .message(let m)):
            guard let command = m.command else { return false }
            if commands.isEmpty { return true }
            return caseSensitive
                ? commands.contains(command) : commands.contains { $0.lowercased() == command.lowercased() }
        case (.textEquals(let text, let caseSensitive), .message(let m)):
            guard m.type == "text", let body = m.text?.trimmingSpaces else { return false }
            return caseSensitive ? body == text : body.lowercased() == text.lowercased()
        case (.textContains(let text, let caseSensitive), .message(let m)):
            guard m.type == "text", let body = m.text else { return false }
            return caseSensitive ? body.contains(text) : body.lowercased().contains(text.lowercased())
        case (.textMatches(let pattern), .message(let m)):
            guard m.type == "text", let body = m.text else { return false }
            return Operators.apply(.matches, .string(body), .string(pattern), regexes: regexes).isTruthy
        case (.button(let id), .message(let m)): return m.buttonID == id
        case (.sendFailed, .sendFailed): return true
        case (.sendFailed, .status(let status)): return status.status == "failed"
        case (.response(let name), .workResult(let result)): return result.ok && result.name == name
        case (.callFailed(let name), .workResult(let result)): return !result.ok && result.name == name
        case (.event(let name), .business(let event)): return event.name == name
        default: return false
        }
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
