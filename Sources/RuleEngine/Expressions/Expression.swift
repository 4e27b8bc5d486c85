/// The syntax tree of an expression such as `user.profile.message_count >= 3`.
public indirect enum Expression: Sendable, Hashable, Codable {
    /// A constant.
    case literal(Value)
    /// A name at the root of a path: `message`, `user`, `now`, or a template loop variable.
    case variable(String)
    /// `base.name`.
    case member(Expression, String)
    /// `base[index]`: a list position (negative counts from the end) or an object key.
    case index(Expression, Expression)
    /// `-x` or `not x`.
    case unary(UnaryOperator, Expression)
    /// `a op b`.
    case binary(BinaryOperator, Expression, Expression)
    /// `name(arguments...)`, one of `ExpressionFunction`.
    case call(String, [Expression])
    /// `[a, b, c]`.
    case list([Expression])
}

extension Expression {
    /// The variable paths the expression reads (`user.count`, `message.text`), each with the
    /// sub-expression that reads it, in order of appearance and without repeats: what a trace
    /// shows the values of when a condition was false.
    public var paths: [(text: String, expression: Expression)] {
        var found: [(String, Expression)] = []
        func path(_ expression: Expression) -> String? {
            switch expression {
            case .variable(let name): name
            case .member(let base, let name): path(base).map { "\($0).\(name)" }
            default: nil
            }
        }
        func walk(_ expression: Expression) {
            if let text = path(expression) {
                if !found.contains(where: { $0.0 == text }) { found.append((text, expression)) }
                return
            }
            switch expression {
            case .literal, .variable: break
            case .member(let base, _): walk(base)
            case .index(let base, let index): walk(base); walk(index)
            case .unary(_, let operand): walk(operand)
            case .binary(_, let left, let right): walk(left); walk(right)
            case .call(_, let arguments), .list(let arguments): arguments.forEach(walk)
            }
        }
        walk(self)
        return found
    }
}

/// Prefix operators.
public enum UnaryOperator: String, Sendable, Hashable, Codable {
    /// Arithmetic negation.
    case negate = "-"
    /// Boolean negation.
    case not
}

/// Infix operators, loosest binding first in `precedence`.
public enum BinaryOperator: String, Sendable, Hashable, Codable, CaseIterable {
    /// Logical or.
    case or
    /// Logical and.
    case and
    /// Equality.
    case equal = "=="
    /// Inequality.
    case notEqual = "!="
    /// Less than.
    case less = "<"
    /// Less than or equal.
    case lessOrEqual = "<="
    /// Greater than.
    case greater = ">"
    /// Greater than or equal.
    case greaterOrEqual = ">="
    /// Substring (case-insensitive) or list membership.
    case contains
    /// Regular-expression search.
    case matches
    /// The left side when it is not null, else the right.
    case coalesce = "??"
    /// Addition or string concatenation.
    case plus = "+"
    /// Subtraction.
    case minus = "-"
    /// Multiplication.
    case times = "*"
    /// Division.
    case divide = "/"
    /// Remainder.
    case modulo = "%"
}

/// An expression together with the text it was compiled from.
///
/// Encodes as its source text and decodes by compiling it, so a custom action's
/// `Arguments` can declare a field of this type and receive a checked expression.
public struct CompiledExpression: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The source text.
    public let source: String
    /// The syntax tree.
    public let root: Expression

    /// Compiles `source`; throws `ExpressionError` when it does not parse.
    public init(_ source: String) throws {
        self.source = source
        var parser = ExpressionParser(source)
        self.root = try parser.parse().expression
    }

    init(source: String, root: Expression) {
        self.source = source
        self.root = root
    }

    /// The source text.
    public var description: String { source }

    /// Decodes from the source text.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(text.hasPrefix("=") ? String(text.dropFirst()) : text)
    }

    /// Encodes as the source text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(source)
    }
}
