import Foundation
public import RuleEngine

/// The actions a runtime can perform, built-ins first; its `catalog` goes to the compiler.
///
/// ```swift
/// var registry = ActionRegistry.builtIn
/// registry.register(CreateTicket())
/// let compiler = BotCompiler(catalog: registry.catalog)
/// ```
public struct ActionRegistry: Sendable {
    private var binders: [String: @Sendable (Value) throws -> BoundAction] = [:]
    /// What the compiler needs to check bots that use these actions.
    public private(set) var catalog = ActionCatalog([])
    /// Work custom actions hand off by name (`ActionContext.startTask`), run after the commit.
    public private(set) var tasks: [String: WorkTask] = [:]

    /// An empty registry (not even the built-ins).
    public init() {}

    /// The registry of built-in actions.
    public static var builtIn: ActionRegistry {
        var registry = ActionRegistry()
        for action in BuiltInActions.all { action(&registry) }
        return registry
    }

    /// Adds `action`, replacing any action of the same name.
    public mutating func register<Action: BotAction>(_ action: Action) {
        catalog = catalog.adding(Action.spec)
        binders[Action.name] = { arguments in
            let decoded = try ValueDecoder.decode(Action.Arguments.self, from: arguments)
            return BoundAction(name: Action.name) { context in try action.perform(decoded, in: &context) }
        }
    }

    /// Registers `task` under `name`: an action's `context.startTask(name, input:, as:)` runs it
    /// after the commit, and what it returns (or throws) comes back to the rules as
    /// `when: { response: … }` (or `call_failed`), in the user's order.
    public mutating func registerTask(_ name: String, _ task: @escaping WorkTask) {
        tasks[name] = task
    }

    /// Decodes `node`'s arguments for its action; throws when the action is not registered.
    func bind(_ node: ActionNode) throws -> BoundAction {
        guard let binder = binders[node.name] else { throw RuntimeError.unknownAction(node.name, node.location) }
        do {
            return try binder(node.arguments)
        } catch let error as RuntimeError {
            throw error
        } catch {
            throw RuntimeError.badArguments(node.name, node.location, "\(error)")
        }
    }
}

/// An action with its arguments decoded, ready to run.
struct BoundAction: Sendable {
    var name: String
    var run: @Sendable (inout ActionContext) throws -> Void
}
