import Foundation

/// Parses template text: `{{ expr }}`, `{{#each list as x}}`, `{{#if c}}`, `{{else}}`, `{{/each}}`, `{{/if}}`.
///
/// A line holding only a block tag is removed whole, so templates in YAML block scalars
/// read naturally. Names bound by `#each` (and `loop`) are local and not reported as references.
struct TemplateParser {
    struct Result {
        var segments: [TemplateSegment]
        var references: [ParsedExpression.Reference]
        var calls: [ParsedExpression.Call]
    }

    private enum Piece {
        case text(String)
        case tag(String, offset: Int)
    }

    private let source: String
    private var pieces: [Piece] = []
    private var index = 0
    private var references: [ParsedExpression.Reference] = []
    private var calls: [ParsedExpression.Call] = []
    private var locals: [String] = []
    /// Blocks (`#if`, `#each`) the parser is inside.
    private var depth = 0

    init(_ source: String) {
        self.source = source
    }

    mutating func parse() throws(ExpressionError) -> Result {
        pieces = try Self.split(source)
        Self.removeStandaloneLines(&pieces)
        let (segments, terminator) = try parseBlock()
        if let (tag, offset) = terminator {
            throw ExpressionError(message: "'{{\(tag)}}' has no matching opening tag", offset: offset)
        }
        return Result(segments: segments, references: references, calls: calls)
    }

    private static func split(_ source: String) throws(ExpressionError) -> [Piece] {
        var pieces: [Piece] = []
        let chars = Array(source)
        var i = 0
        var text = ""
        while i < chars.count {
            if chars[i] == "{", i + 1 < chars.count, chars[i + 1] == "{" {
                var j = i + 2
                while j + 1 < chars.count, !(chars[j] == "}" && chars[j + 1] == "}") { j += 1 }
                guard j + 1 < chars.count else {
                    throw ExpressionError(message: "'{{' is never closed with '}}'", offset: i)
                }
                if !text.isEmpty { pieces.append(.text(text)) }
                text = ""
                let inner = String(chars[(i + 2)..<j])
                let leading = inner.prefix { $0.isWhitespace }.count
                pieces.append(.tag(inner.trimmed, offset: i + 2 + leading))
                i = j + 2
            } else {
                text.append(chars[i])
                i += 1
            }
        }
        if !text.isEmpty { pieces.append(.text(text)) }
        return pieces
    }

    private static func isBlockTag(_ tag: String) -> Bool {
        tag.hasPrefix("#") || tag.hasPrefix("/") || tag == "else"
    }

    private static func removeStandaloneLines(_ pieces: inout [Piece]) {
        for i in pieces.indices {
            guard case .tag(let tag, _) = pieces[i], isBlockTag(tag) else { continue }
            let before: String? =
                i == 0 ? "" : { if case .text(let t) = pieces[i - 1] { return t } else { return nil } }()
            let after: String? =
                i == pieces.count - 1 ? "" : { if case .text(let t) = pieces[i + 1] { return t } else { return nil } }()
            guard let before, let after else { continue }
            let lineStart = before.lastIndex(of: "\n").map { before.index(after: $0) } ?? before.startIndex
            let beforeOnLine = before[lineStart...]
            let startsLine = (i == 0 || before.contains("\n") || i == 1 && !before.contains("\n"))
            guard startsLine, beforeOnLine.allSatisfy({ $0 == " " || $0 == "\t" }) else { continue }
            let afterOnLine = after.prefix { $0 != "\n" }
            guard afterOnLine.allSatisfy({ $0 == " " || $0 == "\t" }) else { continue }
            let endsLine = after.count > afterOnLine.count || i == pieces.count - 1
            guard endsLine else { continue }
            if i > 0 { pieces[i - 1] = .text(String(before[..<lineStart])) }
            if i < pieces.count - 1 {
                pieces[i + 1] = .text(String(after.dropFirst(min(after.count, afterOnLine.count + 1))))
            }
        }
    }

    private mutating func parseBlock() throws(ExpressionError) -> ([TemplateSegment], (String, Int)?) {
        var segments: [TemplateSegment] = []
        while index < pieces.count {
            let piece = pieces[index]
            index += 1
            switch piece {
            case .text(let text):
                if !text.isEmpty { segments.append(.text(text)) }
            case .tag(let tag, let offset):
                if tag == "else" || tag.hasPrefix("/") { return (segments, (tag, offset)) }
                if tag.hasPrefix("#each") || tag.hasPrefix("#if") {
                    guard depth < CompileLimits.templateNesting else {
                        throw ExpressionError(
                            message: "blocks nest more than \(CompileLimits.templateNesting) levels deep",
                            offset: offset)
                    }
                }
                if tag.hasPrefix("#each") {
                    segments.append(try parseEach(String(tag.dropFirst(5)), offset: offset + 5))
                } else if tag.hasPrefix("#if") {
                    segments.append(try parseIf(String(tag.dropFirst(3)), offset: offset + 3))
                } else if tag.hasPrefix("#") {
                    throw ExpressionError(
                        message: "unknown block '\(tag.prefix { !$0.isWhitespace })'; use #each or #if", offset: offset)
                } else {
                    segments.append(.value(try expression(tag, offset: offset)))
                }
            }
        }
        return (segments, nil)
    }

    private mutating func parseEach(_ header: String, offset: Int) throws(ExpressionError) -> TemplateSegment {
        var listText = header
        var variable = "item"
        if let range = header.range(of: " as ") {
            listText = String(header[..<range.lowerBound])
            variable = String(header[range.upperBound...]).trimmed
            guard !variable.isEmpty, variable.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw ExpressionError(message: "'as' must be followed by a name", offset: offset)
            }
        }
        let list = try expression(listText, offset: offset)
        locals.append(variable)
        locals.append("loop")
        depth += 1
        defer {
            locals.removeLast(2)
            depth -= 1
        }
        let (body, terminator) = try parseBlock()
        guard terminator?.0 == "/each" else {
            throw ExpressionError(message: "'{{#each}}' is never closed with '{{/each}}'", offset: offset - 5)
        }
        return .each(list, variable: variable, body: body)
    }

    private mutating func parseIf(_ header: String, offset: Int) throws(ExpressionError) -> TemplateSegment {
        let condition = try expression(header, offset: offset)
        depth += 1
        defer { depth -= 1 }
        let (then, terminator) = try parseBlock()
        var otherwise: [TemplateSegment] = []
        var end = terminator
        if terminator?.0 == "else" {
            (otherwise, end) = try parseBlock()
        }
        guard end?.0 == "/if" else {
            throw ExpressionError(message: "'{{#if}}' is never closed with '{{/if}}'", offset: offset - 3)
        }
        return .conditional(condition, then: then, otherwise: otherwise)
    }

    private mutating func expression(_ text: String, offset: Int) throws(ExpressionError) -> Expression {
        let leading = text.prefix { $0.isWhitespace }.count
        var parser = ExpressionParser(text)
        let parsed: ParsedExpression
        do {
            parsed = try parser.parse()
        } catch {
            throw ExpressionError(message: error.message, offset: offset + error.offset)
        }
        _ = leading
        for reference in parsed.references where !locals.contains(reference.path[0]) {
            references.append(.init(path: reference.path, offset: offset + reference.offset))
        }
        for call in parsed.calls {
            calls.append(.init(name: call.name, argumentCount: call.argumentCount, offset: offset + call.offset))
        }
        return parsed.expression
    }
}
