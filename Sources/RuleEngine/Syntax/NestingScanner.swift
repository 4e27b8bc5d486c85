/// Finds where YAML text nests deeper than `CompileLimits.yamlNesting`, before any parser
/// recurses over it.
///
/// The count is an upper bound on the real depth, read from indentation, compact `- ` and `? `
/// entries and flow brackets outside quotes and comments; block scalar bodies (`|`, `>`) are
/// skipped as text. It is linear in the text and never recurses.
enum NestingScanner {
    /// Where the limit was passed: 1-based line and column.
    struct Excess: Equatable {
        var line: Int
        var column: Int
    }

    static func firstExcess(in text: String, limit: Int = CompileLimits.yamlNesting) -> Excess? {
        var indents: [Int] = []
        var flow = 0
        var quote: UInt8? = nil
        var blockScalarParent: Int? = nil
        var lineNumber = 0
        for line in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let bytes = Array(line)
            let indent = bytes.prefix { $0 == UInt8(ascii: " ") }.count
            let isBlank = indent == bytes.count || bytes[indent] == UInt8(ascii: "#")
            if let parent = blockScalarParent {
                if isBlank || indent > parent { continue }
                blockScalarParent = nil
            }
            if isBlank && quote == nil { continue }
            var column = indent
            if quote == nil && flow == 0 {
                while let last = indents.last, last >= indent { indents.removeLast() }
                indents.append(indent)
                // Compact entries (`- - x`, `- ? x`) open a level each on the same line.
                while column < bytes.count, bytes[column] == UInt8(ascii: "-") || bytes[column] == UInt8(ascii: "?"),
                    column + 1 == bytes.count || bytes[column + 1] == UInt8(ascii: " ")
                {
                    column += 1
                    while column < bytes.count, bytes[column] == UInt8(ascii: " ") { column += 1 }
                    indents.append(column)
                }
                if indents.count > limit { return Excess(line: lineNumber, column: column + 1) }
            }
            var previous = UInt8(ascii: " ")
            while column < bytes.count {
                let byte = bytes[column]
                if let open = quote {
                    if byte == open {
                        // '' inside single quotes is an escaped quote, not the end.
                        if open == UInt8(ascii: "'"), column + 1 < bytes.count, bytes[column + 1] == open {
                            column += 1
                        } else {
                            quote = nil
                        }
                    } else if byte == UInt8(ascii: "\\"), open == UInt8(ascii: "\"") {
                        column += 1
                    }
                } else if byte == UInt8(ascii: "#"), previous == UInt8(ascii: " ") || previous == UInt8(ascii: "\t") {
                    break
                } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                    if previous == UInt8(ascii: " ") || previous == UInt8(ascii: "[") || previous == UInt8(ascii: "{")
                        || previous == UInt8(ascii: ",") || previous == UInt8(ascii: ":") || column == indent
                    {
                        quote = byte
                    }
                } else if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") {
                    flow += 1
                    if indents.count + flow > limit { return Excess(line: lineNumber, column: column + 1) }
                } else if byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") {
                    flow = max(0, flow - 1)
                }
                previous = byte
                column += 1
            }
            if quote == nil, flow == 0, Self.opensBlockScalar(bytes) { blockScalarParent = indent }
        }
        return nil
    }

    /// Whether the line ends (before any comment) with a block scalar header: `|`, `>-`, `|2+`…
    private static func opensBlockScalar(_ bytes: [UInt8]) -> Bool {
        var end = bytes.count
        if let hash = zip(bytes.indices, bytes).first(where: { index, byte in
            byte == UInt8(ascii: "#") && index > 0 && bytes[index - 1] == UInt8(ascii: " ")
        })?.0 {
            end = hash
        }
        var content = bytes[..<end]
        while let last = content.last, last == UInt8(ascii: " ") { content = content.dropLast() }
        while let last = content.last,
            last == UInt8(ascii: "+") || last == UInt8(ascii: "-")
                || (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(last)
        {
            content = content.dropLast()
        }
        guard let indicator = content.last, indicator == UInt8(ascii: "|") || indicator == UInt8(ascii: ">") else {
            return false
        }
        let before = content.dropLast().last
        return before == nil || before == UInt8(ascii: " ")
    }
}
