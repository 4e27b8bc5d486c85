/// The expected form of a YAML value: what the compiler checks and what `rulebot schema` prints.
///
/// Bot files, built-in actions and custom actions are all described with shapes, so all
/// three get the same diagnostics and the same editor completion.
public indirect enum Shape: Sendable {
    /// A scalar read as text with a meaning (`TextKind`).
    case text(TextKind)
    /// A whole number, optionally at least `minimum`.
    case integer(minimum: Int?)
    /// Any number.
    case number
    /// `true` or `false` (never YAML 1.1's `yes`/`no`/`on`/`off`).
    case boolean
    /// One of a fixed set of words.
    case choice([String])
    /// A list of items of one shape, with an optional maximum count and the diagnostic id when it is exceeded.
    case list(Shape, maxItems: Int? = nil, tooManyId: String = "too-many-items")
    /// A mapping with declared fields.
    case record(RecordShape)
    /// A mapping whose keys the user names (states, timers, templates), each value of one shape.
    case dictionary(key: TextKind, value: Shape)
    /// The first alternative whose form (scalar, mapping or list) fits the value.
    case alternatives([Shape])
    /// No value at all, as in `- stop`.
    case none
    /// Any data: numbers, text, lists, mappings. Text starting with `=` is an expression;
    /// text containing `{{` is a template.
    case data
    /// A list of actions from the catalog.
    case actions
}

/// What a text scalar means, which decides how it is checked.
public enum TextKind: Sendable, Hashable {
    /// Free text.
    case plain
    /// A name: letters, digits, `_` and `-`.
    case name
    /// A template, optionally with a maximum printed length and the id reported past it.
    case template(maxLength: Int?, tooLongId: String)
    /// An expression.
    case expression
    /// A duration such as `15s` or `1h30m`.
    case duration
    /// A regular expression.
    case regex
    /// The name of a declared state.
    case stateName
    /// The name of a declared timer.
    case timerName
    /// The name of a text declared under `texts:`.
    case templateName
    /// The name of a WhatsApp template declared under `whatsapp_templates:`.
    case whatsAppTemplateName
    /// A duration such as `2h`, or `=expression` giving seconds or a duration text.
    case durationOrExpression
    /// The name of an API declared under `apis:`.
    case apiName
    /// The name a `call` gives its result, which `response:` and `call_failed:` triggers name.
    case resultName
    /// An IANA time zone such as `Europe/Madrid`.
    case timeZone
    /// A command such as `/HISTORY`.
    case command
    /// A stored value's key: `user.profile`, `table.history` or `state.count`.
    case storageKey
    /// A storage URL: `sqlite:PATH`, `json:DIR`, `memory` or `redis://HOST:PORT`.
    case storageURL
    /// A rule trigger word (`message`, `command`, `status`, a message type) or a command.
    case trigger

    /// A template of at most `maxLength` characters, reporting `text-too-long` past it.
    public static func template(maxLength: Int? = nil) -> TextKind {
        .template(maxLength: maxLength, tooLongId: "text-too-long")
    }
}

/// A mapping with declared fields.
public struct RecordShape: Sendable {
    /// The fields, in documentation order.
    public var fields: [Field]
    /// Field names of which exactly one must be present (such as a trigger's kinds).
    public var exactlyOneOf: [String]
    /// Groups of field names of which at most one each may be present (a reply's buttons or list).
    public var exclusiveGroups: [[String]]
    /// Field names of which at least one must be present (a reply's text or media).
    public var oneOrMoreOf: [String]
    /// What the mapping is for, for hover docs.
    public var summary: String

    /// Creates a record shape.
    public init(
        _ summary: String = "", exactlyOneOf: [String] = [], atMostOneOf: [String] = [],
        exclusiveGroups: [[String]] = [], oneOrMoreOf: [String] = [], fields: [Field]
    ) {
        self.fields = fields
        self.exactlyOneOf = exactlyOneOf
        self.exclusiveGroups = (atMostOneOf.isEmpty ? [] : [atMostOneOf]) + exclusiveGroups
        self.oneOrMoreOf = oneOrMoreOf
        self.summary = summary
    }

    /// The field called `name`.
    public func field(_ name: String) -> Field? {
        fields.first { $0.name == name }
    }
}

/// One field of a `RecordShape`.
public struct Field: Sendable {
    /// The key.
    public var name: String
    /// The value's shape.
    public var shape: Shape
    /// Whether the key must be present.
    public var isRequired: Bool
    /// One line for hover docs.
    public var summary: String
    /// The key that replaces this one, when it is kept only for old files.
    public var replacement: String?

    /// A key kept for old files: it works, with a `deprecated-key` warning and a fix-it to `replacement`.
    public static func deprecated(_ name: String, _ shape: Shape, replacement: String) -> Field {
        Field(
            name: name, shape: shape, isRequired: false, summary: "old name of '\(replacement)'",
            replacement: replacement)
    }

    /// A required field.
    public static func required(_ name: String, _ shape: Shape, _ summary: String = "") -> Field {
        Field(name: name, shape: shape, isRequired: true, summary: summary)
    }

    /// An optional field.
    public static func optional(_ name: String, _ shape: Shape, _ summary: String = "") -> Field {
        Field(name: name, shape: shape, isRequired: false, summary: summary)
    }
}
