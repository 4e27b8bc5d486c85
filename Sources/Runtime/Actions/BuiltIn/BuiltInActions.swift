import RuleEngine

/// Registers every built-in action; each is a `BotAction` like a developer's own.
enum BuiltInActions {
    static var all: [@Sendable (inout ActionRegistry) -> Void] {
        [
            { $0.register(ReplyAction()) },
            { $0.register(MarkReadAction()) },
            { $0.register(SendTemplateAction()) },
            { $0.register(SendLocationAction()) },
            { $0.register(SendContactsAction()) },
            { $0.register(ReactAction()) },
            { $0.register(RequestLocationAction()) },
            { $0.register(TypingAction()) },
            { $0.register(CallAction()) },
            { $0.register(SetAction()) },
            { $0.register(MergeAction()) },
            { $0.register(AppendAction()) },
            { $0.register(IncrementAction()) },
            { $0.register(DeleteAction()) },
            { $0.register(GotoAction()) },
            { $0.register(TimerAction.Start()) },
            { $0.register(TimerAction.Restart()) },
            { $0.register(TimerAction.Cancel()) },
            { $0.register(StopAction()) },
        ]
    }

    /// The compiler's spec for a built-in, so both sides share one definition.
    static func spec(_ name: String) -> ActionSpec {
        guard let spec = ActionCatalog.builtIn.specs[name] else {
            preconditionFailure("built-in action '\(name)' has no spec in BuiltInActionSpecs")
        }
        return spec
    }
}

/// A built-in action: its shape, summary, effects and short form come from its definition in
/// `BuiltInActionSpecs`, which the compiler reads too; the type holds only the runtime body.
protocol BuiltInAction: BotAction {}

extension BuiltInAction {
    static var argumentShape: Shape { BuiltInActions.spec(name).arguments }
    static var summary: String { BuiltInActions.spec(name).summary }
    static var effects: [ActionEffect] { BuiltInActions.spec(name).effects }
    static var shorthand: ActionShorthand? { BuiltInActions.spec(name).shorthand }
}
