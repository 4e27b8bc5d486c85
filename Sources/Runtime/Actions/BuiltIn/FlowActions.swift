import RuleEngine

/// `goto`: move the user to another state.
struct GotoAction: BuiltInAction {
    struct Arguments: Decodable, Sendable {
        var state: String
    }

    static let name = "goto"

    func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
        context.goto(arguments.state)
    }
}

/// `start_timer`, `restart_timer` and `cancel_timer`.
enum TimerAction {
    struct Arguments: Decodable, Sendable {
        var timer: String
        var after: TimeArgument?
        var at: TimeArgument?

        /// Seconds from now until the timer fires; nil for its declared duration. A value that
        /// is no time or duration leaves the timer unstarted, with a trace warning.
        func delay(in context: ActionContext) -> Double?? {
            if let at {
                guard let time = at.time(in: context) else { return .some(nil) }
                return max(0, time - context.now)
            }
            guard let after else { return nil }
            guard let seconds = after.seconds(in: context) else { return .some(nil) }
            return max(0, seconds)
        }
    }

    static func start(_ arguments: Arguments, restart: Bool, in context: inout ActionContext) {
        switch arguments.delay(in: context) {
        case .some(nil):
            context.budget.warnings.append(
                "timer '\(arguments.timer)' not started: its at:/after: did not give a time or a duration")
        case .some(let seconds?): context.startTimer(arguments.timer, after: seconds, restart: restart)
        case nil: context.startTimer(arguments.timer, restart: restart)
        }
    }

    struct Start: BuiltInAction {
        static let name = "start_timer"

        func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
            TimerAction.start(arguments, restart: false, in: &context)
        }
    }

    struct Restart: BuiltInAction {
        static let name = "restart_timer"

        func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
            TimerAction.start(arguments, restart: true, in: &context)
        }
    }

    struct Cancel: BuiltInAction {
        static let name = "cancel_timer"

        func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
            context.cancelTimer(arguments.timer)
        }
    }
}

/// A timer's `after:` or `at:`: a literal duration, or `=expression`.
struct TimeArgument: Decodable, Sendable {
    var literal: Double?
    var expression: CompiledExpression?

    init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        if let seconds = DurationText.seconds(text), !text.hasPrefix("=") {
            literal = seconds
        } else {
            expression = try CompiledExpression(text.hasPrefix("=") ? String(text.dropFirst()) : text)
        }
    }

    /// A duration: a number of seconds, or text such as `2h`.
    func seconds(in context: ActionContext) -> Double? {
        if let literal { return literal }
        guard let expression else { return nil }
        let value = context.evaluate(expression)
        if let number = value.number { return number.isFinite ? number : nil }
        return value.string.flatMap(DurationText.seconds)
    }

    /// A time: Unix seconds, or text `parse_time` reads.
    func time(in context: ActionContext) -> Double? {
        guard let expression else { return literal.map { context.now + $0 } }
        let value = context.evaluate(expression)
        if let number = value.number { return number.isFinite ? number : nil }
        return value.string.flatMap { context.bot.interpreter.parseTime($0, format: nil) }
    }
}
