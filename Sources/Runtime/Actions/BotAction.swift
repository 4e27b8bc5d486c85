public import RuleEngine

/// An action a rule can run: the extension point for Swift developers.
///
/// The compiler checks a bot's use of the action against `argumentShape`, so a typo in
/// an argument is reported with file:line:col before the bot runs. At load time the
/// arguments are decoded once into `Arguments`; `perform` runs inside the pure evaluator,
/// so it reads and writes the user's data through the context, and defers real I/O with
/// `context.afterCommit`.
///
/// ```swift
/// struct CreateTicket: BotAction {
///     struct Arguments: Decodable, Sendable {
///         var priority: String
///         var title: CompiledTemplate
///     }
///     static let name = "create_ticket"
///     static let summary = "open a support ticket"
///     static let effects: [ActionEffect] = [.writes("user.ticket"), .sendsMessage]
///     static let argumentShape = Shape.record(RecordShape(fields: [
///         .required("priority", .choice(["low", "normal", "high"])),
///         .required("title", .text(.template())),
///     ]))
///
///     func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
///         let title = context.render(arguments.title)
///         context.reply("🎫 Ticket '\(title)' opened with \(arguments.priority) priority")
///     }
/// }
/// ```
public protocol BotAction: Sendable {
    /// The arguments, decoded from the checked YAML once per graph load.
    associatedtype Arguments: Decodable & Sendable

    /// The key used in a rule's `do:` list.
    static var name: String { get }
    /// The arguments' shape, checked by the compiler.
    static var argumentShape: Shape { get }
    /// One line for documentation and editor hover.
    static var summary: String { get }
    /// What the action does that checks depend on: keys it writes, states it enters, timers it
    /// starts or cancels, messages it sends. Declared, the action takes part in every check
    /// (`undefined-variable`, unreachable and never-left states, unused timers) as a built-in does.
    static var effects: [ActionEffect] { get }
    /// The short form its arguments may take (`my_action: value` for `{field: value}`), if any.
    static var shorthand: ActionShorthand? { get }

    /// Runs the action for one event.
    func perform(_ arguments: Arguments, in context: inout ActionContext) throws
}

extension BotAction {
    /// No effects the checks need to know of.
    public static var effects: [ActionEffect] { [] }
    /// No short form.
    public static var shorthand: ActionShorthand? { nil }

    /// The compiler's view of this action.
    public static var spec: ActionSpec {
        ActionSpec(name: name, arguments: argumentShape, summary: summary, effects: effects, shorthand: shorthand)
    }
}
