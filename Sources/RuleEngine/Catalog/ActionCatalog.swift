/// What the compiler knows about one action: its name, the shape of its arguments and their
/// short form, what it does (`effects`) and its documentation. Built-ins and custom actions
/// declare the same things, and every check uses them.
public struct ActionSpec: Sendable {
    /// The key used in a rule's `do:` list.
    public var name: String
    /// The arguments' shape; `.none` for an action written as a bare word.
    public var arguments: Shape
    /// One line for documentation and hover.
    public var summary: String
    /// What the action does, for the checks on states, timers and stored keys.
    public var effects: [ActionEffect]
    /// The short form its arguments may take, if any.
    public var shorthand: ActionShorthand?

    /// Creates a spec.
    public init(
        name: String, arguments: Shape, summary: String, effects: [ActionEffect] = [], shorthand: ActionShorthand? = nil
    ) {
        self.name = name
        self.arguments = arguments
        self.summary = summary
        self.effects = effects
        self.shorthand = shorthand
    }

    /// `value` rewritten from its short form into the mapping the runtime decodes.
    public func canonical(_ value: Value) -> Value {
        shorthand?.canonical(value) ?? value
    }
}

/// The actions a bot may use: the built-ins plus any registered by a Swift developer.
public struct ActionCatalog: Sendable {
    /// Every action by name.
    public private(set) var specs: [String: ActionSpec]

    /// A catalog of exactly `specs`.
    public init(_ specs: [ActionSpec]) {
        self.specs = Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// The built-in actions only.
    public static let builtIn = ActionCatalog(BuiltInActionSpecs.all)

    /// This catalog with `spec` added (replacing one of the same name).
    public func adding(_ spec: ActionSpec) -> ActionCatalog {
        var copy = self
        copy.specs[spec.name] = spec
        return copy
    }

    /// The names in alphabetical order.
    public var names: [String] { specs.keys.sorted() }
}
