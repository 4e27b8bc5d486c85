public import RuleEngine

/// A JSON reader straight into `Value` (RFC 8259), used on hot paths: every webhook body and
/// every stored value read back.
///
/// Hostile input never traps it: nesting is limited, a lone or reversed surrogate escape reads as
/// U+FFFD, and a number too large for a `Double` (`1e400`) is kept as a string of its text. `JSONDecoder` through `Value`'s `Decodable` conformance tries
/// each type in turn for every node and costs several times more.
public struct JSONParser {
    /// A syntax error with its byte offset.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong.
        public var message: String
        /// Byte offset in the input.
        public var offset: Int

        /// The message with its offset.
        public var description: String { "\(message) at byte \(offset)" }
    }

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0

    /// Parses `bytes` as one JSON value (surrounding white space allowed).
    public static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> Value {
        var parser = JSONParser(bytes: bytes)
        parser.skipSpace()
        let value = try parser.value()
        parser.skipSpace()
        guard parser.index == bytes.count else {
            throw SyntaxError(message: "unexpected text after the value", offset: parser.index)
        }
        return value
    }

    /// Parses UTF-8 text as one JSON value.
    public static func parse(_ text: String) throws(SyntaxError) -> Value {
        try parse(Array(text.utf8))
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private mutating func skipSpace() {
        while index < bytes.count,
            bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09
        {
            index += 1
        }
    }

    private func fail(_ message: String) -> SyntaxError {
        SyntaxError(message: message, offset: index)
    }

    private mutating func value() throws(SyntaxError) -> Value {
        guard index < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return try number()
        }
    }

    private mutating func literal(_ word: StaticString, _ value: Value) throws(SyntaxError) -> Value {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail("unexpected end of input") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
            throw fail("invalid literal")
        }
        index += count
        return value
    }

    private mutating func object() throws(SyntaxError) -> Value {
        depth += 1
        guard depth <= 512 else { throw fail("nesting too deep") }
        defer { depth -= 1 }
        index += 1
        var fields: [String: Value] = [:]
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(fields)
        }
        while true {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a key") }
            let key = try string()
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            index += 1
            skipSpace()
            fields[key] = try value()
            skipSpace()
            guard index < bytes.count else { throw fail("unexpected end of input") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(fields)
            } else {
                throw fail("expected ',' or '}'")
            }
        }
    }

    private mutating func array() throws(SyntaxError) -> Value {
        depth += 1
        guard depth <= 512 else { throw fail("nesting too deep") }
        defer { depth -= 1 }
        index += 1
        var items: [Value] = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            skipSpace()
            items.append(try value())
            skipSpace()
            guard index < bytes.count else { throw fail("unexpected end of input") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            } else {
                throw fail("expected ',' or ']'")
            }
        }
    }

    private mutating func string() throws(SyntaxError) -> String {
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") {
            guard bytes[index] >= 0x20 else { throw fail("control character in a string") }
            index += 1
        }
        guard index < bytes.count else { throw fail("unterminated string") }
        if bytes[index] == UInt8(ascii: "\"") {
            defer { index += 1 }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }
        var out = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: out, as: UTF8.self)
            }
            guard byte != UInt8(ascii: "\\") else {
                index += 1
                guard index < bytes.count else { throw fail("unterminated escape") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    appendUTF8(of: try unicodeEscape(), to: &out)
                default: throw fail("invalid escape")
                }
                continue
            }
            guard byte >= 0x20 else { throw fail("control character in a string") }
            out.append(byte)
            index += 1
        }
        throw fail("unterminated string")
    }

    /// The scalar of a `\u` escape whose `\u` has been read, joining a surrogate pair.
    ///
    /// Any text may arrive in a webhook: a lone or reversed surrogate becomes U+FFFD, and a
    /// following escape that does not complete the pair is left to be read on its own.
    private mutating func unicodeEscape() throws(SyntaxError) -> Unicode.Scalar {
        let first = try hex4()
        guard (0xD800..<0xDC00).contains(first) else { return Unicode.Scalar(first) ?? Self.replacement }
        let pairStart = index
        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
            return Self.replacement
        }
        index += 2
        let second = try hex4()
        guard (0xDC00..<0xE000).contains(second) else {
            index = pairStart
            return Self.replacement
        }
        return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)) ?? Self.replacement
    }

    private static let replacement: Unicode.Scalar = "\u{FFFD}"

    private func appendUTF8(of scalar: Unicode.Scalar, to out: inout [UInt8]) {
        UTF8.encode(scalar) { out.append($0) }
    }

    private mutating func hex4() throws(SyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw fail("invalid \\u escape")
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    private mutating func number() throws(SyntaxError) -> Value {
        let start = index
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                index += 1
            } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
            {
                isInteger = false
                index += 1
            } else {
                break
            }
        }
        guard Self.isJSONNumber(bytes[start..<index]) else {
            throw SyntaxError(message: "invalid number", offset: start)
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let integer = Int(text) { return .int(integer) }
        guard let double = Double(text) else { throw SyntaxError(message: "invalid number", offset: start) }
        // 1e400 is valid JSON but no Double. It is kept as its text, so the rest of a webhook is
        // still read, and no infinity ever reaches a conversion that would trap or a journal line
        // that could not be read back.
        return double.isFinite ? .double(double) : .string(text)
    }

    /// Whether `digits` follows RFC 8259's number grammar (`Double.init` also takes `inf`, `0x1p3`, `+1`).
    private static func isJSONNumber(_ digits: ArraySlice<UInt8>) -> Bool {
        var i = digits.startIndex
        func digitRun() -> Int {
            let start = i
            while i < digits.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digits[i]) { i += 1 }
            return i - start
        }
        if i < digits.endIndex, digits[i] == UInt8(ascii: "-") { i += 1 }
        let whole = i
        guard digitRun() > 0, digits[whole] != UInt8(ascii: "0") || i - whole == 1 else { return false }
        if i < digits.endIndex, digits[i] == UInt8(ascii: ".") {
            i += 1
            guard digitRun() > 0 else { return false }
        }
        if i < digits.endIndex, digits[i] == UInt8(ascii: "e") || digits[i] == UInt8(ascii: "E") {
            i += 1
            if i < digits.endIndex, digits[i] == UInt8(ascii: "+") || digits[i] == UInt8(ascii: "-") { i += 1 }
            guard digitRun() > 0 else { return false }
        }
        return i == digits.endIndex
    }
}
