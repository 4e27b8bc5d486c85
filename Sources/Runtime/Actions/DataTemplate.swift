public import RuleEngine

/// A data argument (`value:` of set/merge/append) compiled once: literal parts stay values,
/// `=expression` text becomes an expression, and text with `{{ }}` becomes a template.
public indirect enum DataTemplate: Sendable, Decodable {
    /// A constant.
    case literal(Value)
    /// `=expression`.
    case expression(CompiledExpression)
    /// Text with `{{ }}`.
    case template(CompiledTemplate)
    /// A mapping of data templates.
    case object([String: DataTemplate])
    /// A list of data templates.
    case array([DataTemplate])

    /// Compiles checked data.
    public init(_ value: Value) throws {
        switch value {
        case .string(let text) where text.hasPrefix("="):
            self = .expression(try CompiledExpression(String(text.dropFirst())))
        case .string(let text) where text.contains("{{"):
            self = .template(try CompiledTemplate(text))
        case .object(let fields):
            self = .object(try fields.mapValues(DataTemplate.init))
        case .array(let items):
            self = .array(try items.map(DataTemplate.init))
        default:
            self = .literal(value)
        }
    }

    /// Decodes from checked data.
    public init(from decoder: any Decoder) throws {
        try self.init(try Value(from: decoder))
    }
}

extension ActionContext {
    /// The value of a data template for this event.
    public func evaluate(_ data: DataTemplate) -> Value {
        switch data {
        case .literal(let value): value
        case .expression(let expression): evaluate(expression)
        case .template(let template): .string(render(template))
        case .object(let fields): .object(fields.mapValues { evaluate($0) })
        case .array(let items): .array(items.map { evaluate($0) })
        }
    }
}

/// A parsed storage key argument: `user.profile.message_count` → scope, key and path inside.
public struct StoragePath: Sendable, Decodable {
    /// The stored value's key.
    public var key: StorageKey
    /// The field path inside the stored value.
    public var path: [String]

    /// Parses `scope.key[.field...]`.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        let parts = text.split(separator: ".").map(String.init)
        guard parts.count >= 2, let scope = Scope(rawValue: parts[0]) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "bad storage key '\(text)'"))
        }
        key = StorageKey(scope, parts[1])
        path = Array(parts.dropFirst(2))
    }
}

/// A duration argument such as `24h`, in seconds.
public struct DurationArgument: Sendable, Decodable {
    /// Seconds.
    public var seconds: Double

    /// Parses the duration text.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let seconds = DurationText.seconds(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "bad duration '\(text)'"))
        }
        self.seconds = seconds
    }
}
