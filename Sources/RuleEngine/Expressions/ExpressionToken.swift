/// One token of expression text, with its character offset for diagnostics.
struct ExpressionToken: Equatable {
    enum Kind: Equatable {
        case identifier(String)
        case number(Value)
        case string(String)
        case symbol(String)
        case end
    }

    var kind: Kind
    var offset: Int
}

/// An expression that does not parse, with the character offset of the problem.
public struct ExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, lowercase.
    public var message: String
    /// Character offset into the expression text.
    public var offset: Int

    /// The message.
    public var description: String { message }
}

/// Splits expression text into tokens.
struct ExpressionLexer {
    private static let symbols = [
        "==", "!=", "<=", ">=", "&&", "||", "??", "<", ">", "+", "-", "*", "/", "%", "(", ")", "[", "]", ",", ".", "!",
    ]

    static func tokenize(_ text: String) throws(ExpressionError) -> [ExpressionToken] {
        let chars = Array(text)
        var tokens: [ExpressionToken] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace {
                i += 1
            } else if c.isLetter || c == "_" {
                let start = i
                while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" { i += 1 }
                tokens.append(.init(kind: .identifier(String(chars[start..<i])), offset: start))
            } else if c.isNumber {
                let start = i
                while i < chars.count, chars[i].isNumber { i += 1 }
                var isDouble = false
                if i + 1 < chars.count, chars[i] == ".", chars[i + 1].isNumber {
                    isDouble = true
                    i += 1
                    while i < chars.count, chars[i].isNumber { i += 1 }
                }
                let literal = String(chars[start..<i])
                let value: Value =
                    isDouble
                    ? .double(Double(literal) ?? 0) : Int(literal).map(Value.int) ?? .double(Double(literal) ?? 0)
                tokens.append(.init(kind: .number(value), offset: start))
            } else if c == "\"" || c == "'" {
                let start = i
                i += 1
                var literal = ""
                while i < chars.count, chars[i] != c {
                    if chars[i] == "\\", i + 1 < chars.count {
                        i += 1
                        literal.append(chars[i] == "n" ? "\n" : chars[i] == "t" ? "\t" : chars[i])
                    } else {
                        literal.append(chars[i])
                    }
                    i += 1
                }
                guard i < chars.count else {
                    throw ExpressionError(message: "text is missing its closing \(c)", offset: start)
                }
                i += 1
                tokens.append(.init(kind: .string(literal), offset: start))
            } else if let symbol = symbols.first(where: { matches($0, chars, at: i) }) {
                tokens.append(.init(kind: .symbol(symbol), offset: i))
                i += symbol.count
            } else if c == "=" {
                throw ExpressionError(message: "use '==' to compare", offset: i)
            } else {
                throw ExpressionError(message: "unexpected character '\(c)'", offset: i)
            }
        }
        tokens.append(.init(kind: .end, offset: chars.count))
        return tokens
    }

    private static func matches(_ symbol: String, _ chars: [Character], at i: Int) -> Bool {
        let s = Array(symbol)
        return i + s.count <= chars.count && Array(chars[i..<(i + s.count)]) == s
    }
}
