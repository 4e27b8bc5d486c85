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
        var after: DurationArgument?
    }

    struct Start: BuiltInAction {
        static let name = "start_timer"

        func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
            context.startTimer(arguments.timer, after: arguments.after?.seconds, restart: false)
        }
    }

    struct Restart: BuiltInAction {
        static let name = "restart_timer"

        func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
            context.startTimer(arguments.timer, after: arguments.after?.seconds, restart: true)
        }
    }

    struct Cancel: BuiltInAction {
        static let name = "cancel_timer"

        func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
            context.cancelTimer(arguments.timer)
        }
    }
}
