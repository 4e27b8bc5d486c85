/// A parsed expression and the names it uses, for checking against what the bot defines.
struct ParsedExpression {
    /// A path read by the expression: `user.profile.name` is `["user", "profile", "name"]`.
    struct Reference: Equatable {
        var path: [String]
        var offset: Int
    }

    /// A function call.
    struct Call: Equatable {
        var name: String
        var argumentCount: Int
        var offset: Int
    }

    var expression: Expression
    var references: [Reference]
    var calls: [Call]
    /// Literal patterns on the right of `matches`, checked when the bot is compiled.
    var patterns: [(pattern: String, offset: Int)] = []
}

/// Recursive-descent parser for the expression language (see docs/bot-language.md).
struct ExpressionParser {
    private var tokens: [ExpressionToken] = []
    private var position = 0
    private var references: [ParsedExpression.Reference] = []
    private var calls: [ParsedExpression.Call] = []
    private var patterns: [(pattern: String, offset: Int)] = []
    private let text: String
    /// How many nested constructs the parser is inside; bounded so no input can exhaust the stack.
    private var depth = 0

    init(_ text: String) {
        self.text = text
    }

    mutating func parse() throws(ExpressionError) -> ParsedExpression {
        tokens = try ExpressionLexer.tokenize(text)
        guard tokens.first?.kind != .end else { throw ExpressionError(message: "expression is empty", offset: 0) }
        // The limit also bounds the depth of a long chain like `1 + 1 + …`, which becomes a tree
        // as deep as it is long for every later walk over it.
        guard tokens.count <= CompileLimits.expressionTokens + 1 else {
            throw ExpressionError(
                message:
                    "expression is too long: \(tokens.count - 1) tokens, at most \(CompileLimits.expressionTokens); split it with vars",
                offset: tokens[CompileLimits.expressionTokens].offset)
        }
        let expression = try parseOr()
        guard current.kind == .end else { throw unexpected() }
        return ParsedExpression(expression: expression, references: references, calls: calls, patterns: patterns)
    }

    private var current: ExpressionToken { tokens[position] }

    private mutating func advance() -> ExpressionToken {
        defer { position += 1 }
        return tokens[position]
    }

    private mutating func accept(_ symbol: String) -> Bool {
        if current.kind == .symbol(symbol) || current.kind == .identifier(symbol) {
            position += 1
            return true
        }
        return false
    }

    private func unexpected() -> ExpressionError {
        switch current.kind {
        case .end: ExpressionError(message: "expression ends too early", offset: current.offset)
        case .identifier(let name): ExpressionError(message: "unexpected '\(name)'", offset: current.offset)
        case .symbol(let s): ExpressionError(message: "unexpected '\(s)'", offset: current.offset)
        case .number, .string: ExpressionError(message: "missing operator before this value", offset: current.offset)
        }
    }

    /// Runs `body` one level deeper, failing past `CompileLimits.expressionNesting`.
    private mutating func nested(
        _ body: (inout ExpressionParser) throws(ExpressionError) -> Expression
    ) throws(ExpressionError) -> Expression {
        depth += 1
        defer { depth -= 1 }
        guard depth <= CompileLimits.expressionNesting else {
            throw ExpressionError(
                message: "expression nests more than \(CompileLimits.expressionNesting) levels deep",
                offset: current.offset)
        }
        return try body(&self)
    }

    private mutating func parseOr() throws(ExpressionError) -> Expression {
        try nested { parser throws(ExpressionError) in try parser.parseOrChain() }
    }

    private mutating func parseOrChain() throws(ExpressionError) -> Expression {
        var left = try parseAnd()
        while accept("or") || accept("||") { left = .binary(.or, left, try parseAnd()) }
        return left
    }

    private mutating func parseAnd() throws(ExpressionError) -> Expression {
        var left = try parseNot()
        while accept("and") || accept("&&") { left = .binary(.and, left, try parseNot()) }
        return left
    }

    private mutating func parseNot() throws(ExpressionError) -> Expression {
        if accept("not") || accept("!") {
            return .unary(.not, try nested { parser throws(ExpressionError) in try parser.parseNot() })
        }
        return try parseComparison()
    }

    private static let comparisons: [String: BinaryOperator] = [
        "==": .equal, "!=": .notEqual, "<": .less, "<=": .lessOrEqual, ">": .greater, ">=": .greaterOrEqual,
        "contains": .contains, "matches": .matches,
    ]

    private mutating func parseComparison() throws(ExpressionError) -> Expression {
        let left = try parseCoalesce()
        let name: String? =
            switch current.kind {
            case .symbol(let s): s
            case .identifier(let s): s
            default: nil
            }
        guard let name, let op = Self.comparisons[name] else { return left }
        position += 1
        let rightOffset = current.offset
        let right = try parseCoalesce()
        if op == .matches, case .literal(.string(let pattern)) = right { patterns.append((pattern, rightOffset)) }
        return .binary(op, left, right)
    }

    private mutating func parseCoalesce() throws(ExpressionError) -> Expression {
        var left = try parseAdditive()
        while accept("??") { left = .binary(.coalesce, left, try parseAdditive()) }
        return left
    }

    private mutating func parseAdditive() throws(ExpressionError) -> Expression {
        var left = try parseMultiplicative()
        while true {
            if accept("+") {
                left = .binary(.plus, left, try parseMultiplicative())
            } else if accept("-") {
                left = .binary(.minus, left, try parseMultiplicative())
            } else {
                return left
            }
        }
    }

    private mutating func parseMultiplicative() throws(ExpressionError) -> Expression {
        var left = try parseUnary()
        while true {
            if accept("*") {
                left = .binary(.times, left, try parseUnary())
            } else if accept("/") {
                left = .binary(.divide, left, try parseUnary())
            } else if accept("%") {
                left = .binary(.modulo, left, try parseUnary())
            } else {
                return left
            }
        }
    }

    private mutating func parseUnary() throws(ExpressionError) -> Expression {
        if accept("-") {
            return .unary(.negate, try nested { parser throws(ExpressionError) in try parser.parseUnary() })
        }
        return try parsePostfix()
    }

    private mutating func parsePostfix() throws(ExpressionError) -> Expression {
        let start = current.offset
        var expression = try parsePrimary()
        var path: [String]? = if case .variable(let root) = expression { [root] } else { nil }
        while true {
            if accept(".") {
                guard case .identifier(let name) = advance().kind else {
                    position -= 1
                    throw ExpressionError(message: "expected a name after '.'", offset: current.offset)
                }
                expression = .member(expression, name)
                path?.append(name)
            } else if accept("[") {
                let index = try parseOr()
                guard accept("]") else { throw ExpressionError(message: "missing ']'", offset: current.offset) }
                expression = .index(expression, index)
                if let p = path { references.append(.init(path: p, offset: start)) }
                path = nil
            } else {
                break
            }
        }
        if let path { references.append(.init(path: path, offset: start)) }
        return expression
    }

    private mutating func parsePrimary() throws(ExpressionError) -> Expression {
        let token = advance()
        switch token.kind {
        case .number(let value):
            return .literal(value)
        case .string(let s):
            return .literal(.string(s))
        case .identifier("true"):
            return .literal(.bool(true))
        case .identifier("false"):
            return .literal(.bool(false))
        case .identifier("null"):
            return .literal(.null)
        case .identifier(let name):
            if accept("(") {
                var arguments: [Expression] = []
                if !accept(")") {
                    repeat { arguments.append(try parseOr()) } while accept(",")
                    guard accept(")") else { throw ExpressionError(message: "missing ')'", offset: current.offset) }
                }
                calls.append(.init(name: name, argumentCount: arguments.count, offset: token.offset))
                return .call(name, arguments)
            }
            return .variable(name)
        case .symbol("("):
            let inner = try parseOr()
            guard accept(")") else { throw ExpressionError(message: "missing ')'", offset: current.offset) }
            return inner
        case .symbol("["):
            var items: [Expression] = []
            if !accept("]") {
                repeat { items.append(try parseOr()) } while accept(",")
                guard accept("]") else { throw ExpressionError(message: "missing ']'", offset: current.offset) }
            }
            return .list(items)
        default:
            position -= 1
            throw unexpected()
        }
    }
}
