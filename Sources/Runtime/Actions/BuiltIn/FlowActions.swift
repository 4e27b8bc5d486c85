import RuleEngine

/// `goto`: move the user to another state.
struct GotoAction: BotAction {
    struct Arguments: Decodable, Sendable {
        var state: String
    }

    static let name = "goto"
    static var argumentShape: Shape { BuiltInActions.spec(name).arguments }
    static var summary: String { BuiltInActions.spec(name).summary }

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

    struct Start: BotAction {
        static let name = "start_timer"
        static var argumentShape: Shape { BuiltInActions.spec(name).arguments }
        static var summary: String { BuiltInActions.spec(name).summary }

        func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
            context.startTimer(arguments.timer, after: arguments.after?.seconds, restart: false)
        }
    }

    struct Restart: BotAction {
        static let name = "restart_timer"
        static var argumentShape: Shape { BuiltInActions.spec(name).arguments }
        static var summary: String { BuiltInActions.spec(name).summary }

        func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
            context.startTimer(arguments.timer, after: arguments.after?.seconds, restart: true)
        }
    }

    struct Cancel: BotAction {
        static let name = "cancel_timer"
        static var argumentShape: Shape { BuiltInActions.spec(name).arguments }
        static var summary: String { BuiltInActions.spec(name).summary }

        func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
            context.cancelTimer(arguments.timer)
        }
    }
}
