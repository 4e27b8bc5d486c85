/// What the compiler knows about one action: its name and the shape of its arguments.
public struct ActionSpec: Sendable {
    /// The key used in a rule's `do:` list.
    public var name: String
    /// The arguments' shape; `.none` for an action written as a bare word.
    public var arguments: Shape
    /// One line for documentation and hover.
    public var summary: String

    /// Creates a spec.
    public init(name: String, arguments: Shape, summary: String) {
        self.name = name
        self.arguments = arguments
        self.summary = summary
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
