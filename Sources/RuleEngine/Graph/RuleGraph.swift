/// A compiled bot: immutable, thread-safe, and serialisable, with dispatch tables built once.
public struct RuleGraph: Sendable, Hashable, Codable {
    /// The bot's name.
    public var name: String
    /// The file it was compiled from.
    public var file: String
    /// The time zone `format_time` uses.
    public var timeZone: String
    /// The storage the bot prefers, if it declares one.
    public var preferredStorage: StorageLocation?
    /// The WhatsApp phone number id the bot serves, if declared.
    public var phoneNumberID: String?
    /// Messages per second Meta allows the bot's number, if declared (`throughput:`).
    public var throughput: Int?
    /// The declared states; `initialState` is one of them.
    public var states: [StateNode]
    /// Where new users start and where expired states fall back to.
    public var initialState: String
    /// The declared timers.
    public var timers: [TimerNode]
    /// Named templates.
    public var templates: [String: CompiledTemplate]
    /// Where each named template is declared.
    public var templateLocations: [String: SourceLocation] = [:]
    /// The WhatsApp templates the bot declares, by name.
    public var whatsAppTemplates: [String: WhatsAppTemplate] = [:]
    /// Stored keys shown masked in traces and the console (`user.email`).
    public var sensitive: [String] = []
    /// The HTTP APIs the bot calls, by name.
    public var apis: [String: APIDeclaration] = [:]
    /// Constants readable as `vars.NAME`.
    public var vars: [String: Value]
    /// The rules in file order; `RuleNode.index` is a position in this array.
    public var rules: [RuleNode]
    /// Candidate rules by event key, so an event is matched against few rules.
    public var dispatch: Dispatch

    /// Whether the value at `path` (`user.email`, `user.card.number`) is one the bot marked sensitive.
    public func isSensitive(_ path: String) -> Bool {
        sensitive.contains { path == $0 || path.hasPrefix($0 + ".") }
    }

    /// The state called `name`.
    public func state(named name: String) -> StateNode? {
        states.first { $0.name == name }
    }

    /// The timer called `name`.
    public func timer(named name: String) -> TimerNode? {
        timers.first { $0.name == name }
    }
}

/// A state of the per-user state machine.
public struct StateNode: Sendable, Hashable, Codable {
    /// The state's name.
    public var name: String
    /// Seconds without a message after which the user returns to the initial state.
    public var timeToLive: Double?
    /// Where it is declared.
    public var location: SourceLocation
}

/// A named timer.
public struct TimerNode: Sendable, Hashable, Codable {
    /// The timer's name.
    public var name: String
    /// Seconds from start to firing.
    public var duration: Double
    /// Where it is declared.
    public var location: SourceLocation
}

/// One rule.
public struct RuleNode: Sendable, Hashable, Codable {
    /// The rule's id, from the file or `rule-N`.
    public var id: String
    /// Position in `RuleGraph.rules`.
    public var index: Int
    /// Where the rule starts.
    public var location: SourceLocation
    /// What starts the rule.
    public var trigger: Trigger
    /// The states the rule applies in; empty means every state.
    public var states: [String]
    /// A condition that must hold.
    public var condition: CompiledExpression?
    /// What the rule does.
    public var actions: [ActionNode]
    /// Whether later rules are still tried after this one fires.
    public var continues: Bool
    /// A `send_template` sent instead of the rule's free-form messages when the 24-hour window is closed.
    public var fallback: ActionNode?
}

/// A WhatsApp template as the bot file declares it: what its parameters are.
public struct WhatsAppTemplate: Sendable, Hashable, Codable {
    /// Its name in WhatsApp Manager.
    public var name: String
    /// Its language code.
    public var language: String
    /// The kind of header that takes a value (`text`, `image`, `video`, `document`), if any.
    public var header: String?
    /// How many body parameters it takes.
    public var bodyCount: Int
    /// Their names, for a template with named parameters.
    public var bodyNames: [String]?
    /// The kinds of its buttons, in order (`quick_reply`, `url`).
    public var buttons: [String]
}

/// One action of a rule, with its arguments as checked data.
///
/// Built-in actions have their arguments in a canonical mapping form; the runtime decodes them
/// once when it loads the graph.
public struct ActionNode: Sendable, Hashable, Codable {
    /// The action's catalog name.
    public var name: String
    /// The arguments.
    public var arguments: Value
    /// Where the action is written.
    public var location: SourceLocation
    /// The states it moves the user to, from its declared effects.
    public var entersStates: [String] = []
    /// The timers it starts, from its declared effects.
    public var startsTimers: [String] = []
}

/// An HTTP API as the bot file declares it. Header values and the base URL may hold
/// `${VARIABLE}`s, read from the environment when a call is made, never stored or logged.
public struct APIDeclaration: Sendable, Hashable, Codable {
    /// Its name in the bot file.
    public var name: String
    /// What paths are added to.
    public var baseURL: String
    /// Headers sent with every call.
    public var headers: [String: String]
    /// Seconds one attempt may take.
    public var timeout: Double
    /// Attempts on network errors, 429 and 5xx before the call fails.
    public var attempts: Int
    /// Whether loopback and private addresses may be called.
    public var allowPrivate: Bool

    /// Creates a declaration.
    public init(
        name: String, baseURL: String, headers: [String: String] = [:], timeout: Double = 10, attempts: Int = 3,
        allowPrivate: Bool = false
    ) {
        self.name = name
        self.baseURL = baseURL
        self.headers = headers
        self.timeout = timeout
        self.attempts = attempts
        self.allowPrivate = allowPrivate
    }
}
