import Foundation

/// A JSON-shaped value: what bots store, what expressions compute and what templates print.
public enum Value: Sendable, Hashable {
    /// Absent or null.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A whole number.
    case int(Int)
    /// A fractional number; timestamps are seconds since 1970 in this form or as `int`.
    case double(Double)
    /// Text.
    case string(String)
    /// An ordered list.
    case array([Value])
    /// Named fields.
    case object([String: Value])

    /// Whether the value counts as true in a condition: not null, false, 0, "" or empty.
    public var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let b): b
        case .int(let i): i != 0
        case .double(let d): d != 0
        case .string(let s): !s.isEmpty
        case .array(let a): !a.isEmpty
        case .object(let o): !o.isEmpty
        }
    }

    /// The value as a number, if it is one.
    public var number: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    /// The field `name` of an object, or null.
    public subscript(name: String) -> Value {
        if case .object(let fields) = self { return fields[name] ?? .null }
        return .null
    }

    /// The items, if this is a list; none otherwise.
    public var items: [Value] {
        if case .array(let items) = self { return items }
        return []
    }

    /// The text a template prints for this value.
    public var text: String {
        switch self {
        case .null: ""
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .double(let d):
            // 15 significant digits: exact for every decimal a person types, and without the
            // binary noise of `0.1 + 0.2` (0.30000000000000004). Storage keeps every digit.
            if d.isFinite, d == d.rounded(), abs(d) < 1e15 { String(Int(d)) } else { String(format: "%.15g", d) }
        case .string(let s): s
        case .array, .object: jsonText
        }
    }
}
