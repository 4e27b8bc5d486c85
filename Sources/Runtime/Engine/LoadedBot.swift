import Foundation
public import RuleEngine

/// A compiled bot bound to a runtime: actions decoded, regexes cached. Immutable and shared.
public final class LoadedBot: Sendable {
    /// The compiled graph.
    public let graph: RuleGraph
    let actions: [[BoundAction]]
    /// Each rule's `fallback_template:`, bound like its actions.
    let fallbacks: [BoundAction?]
    let interpreter: ExpressionInterpreter
    let renderer: TemplateRenderer
    /// Bounds on each event's evaluation.
    public let limits: RuntimeLimits
    /// Which version of the bot this is (its file's hash), recorded in traces and per user.
    public let version: String

    /// Binds `graph`'s actions with `registry`; throws when an action is missing or its arguments don't decode.
    public init(
        graph: RuleGraph, registry: ActionRegistry = .builtIn, limits: RuntimeLimits = .default, version: String = ""
    ) throws {
        self.graph = graph
        self.limits = limits
        self.version = version
        self.actions = try graph.rules.map { rule in try rule.actions.map(registry.bind) }
        self.fallbacks = try graph.rules.map { rule in try rule.fallback.map(registry.bind) }
        let zone = TimeZone(identifier: graph.timeZone) ?? TimeZone(identifier: "UTC") ?? .current
        self.interpreter = ExpressionInterpreter(timeZone: zone, regexes: RegexCache())
        self.renderer = TemplateRenderer(interpreter: interpreter)
    }

    /// The bot's name.
    public var name: String { graph.name }

    /// Whether `path` is a stored key the bot marked sensitive.
    func isSensitive(_ path: String) -> Bool { graph.isSensitive(path) }
}
