/// Finds repeated keys in block-style YAML mappings before the YAML parser sees them.
///
/// Yams rejects a duplicate key by failing the whole parse, which would hide every other
/// problem in the file. This scanner understands the block style bot files are written in
/// (indentation, `- ` list items, comments, block scalars); flow mappings are left to Yams.
enum DuplicateKeyScanner {
    struct Duplicate: Equatable {
        var key: String
        var line: Int
        var column: Int
        var firstLine: Int
    }

    private struct Scope {
        var indent: Int
        var keys: [String: Int]
    }

    static func scan(_ text: String) -> [Duplicate] {
        var scopes: [Scope] = []
        var duplicates: [Duplicate] = []
        var blockScalarIndent: Int?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = Array(rawLine)
            let indent = line.prefix { $0 == " " }.count
            let rest = line.dropFirst(indent)
            if rest.isEmpty || rest.first == "#" { continue }
            if let blockIndent = blockScalarIndent {
                if indent > blockIndent { continue }
                blockScalarIndent = nil
            }
            var column = indent
            var content = rest[...]
            // Each "- " opens a new mapping one level deeper.
            while content.starts(with: ["-", " "]) {
                column += 2
                content = content.dropFirst(2)
                while content.first == " " {
                    column += 1
                    content = content.dropFirst()
                }
                scopes.removeAll { $0.indent >= column }
                scopes.append(Scope(indent: column, keys: [:]))
            }
            guard let key = keyOf(content) else { continue }
            scopes.removeAll { $0.indent > column }
            if scopes.last?.indent != column {
                scopes.append(Scope(indent: column, keys: [:]))
            }
            if let first = scopes[scopes.count - 1].keys[key] {
                duplicates.append(Duplicate(key: key, line: index + 1, column: column + 1, firstLine: first))
            } else {
                scopes[scopes.count - 1].keys[key] = index + 1
            }
            let afterColon = content.dropFirst(key.count + 1).drop { $0 == " " }
            if afterColon.first == "|" || afterColon.first == ">" {
                blockScalarIndent = column
            }
        }
        return duplicates
    }

    /// The text with the duplicate key renamed so that YAML accepts it; the compiler skips such keys.
    static func rename(_ duplicate: Duplicate, in text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let i = duplicate.line - 1
        var chars = Array(lines[i])
        let start = duplicate.column - 1
        let replacement = Array(ignoredKeyPrefix + "\(duplicate.line)")
        chars.replaceSubrange(start..<(start + duplicate.key.count), with: replacement)
        lines[i] = String(chars)
        return lines.joined(separator: "\n")
    }

    /// Keys starting with this were renamed by `rename`; their errors were already reported.
    static let ignoredKeyPrefix = "__duplicate_key_line_"

    private static func keyOf(_ content: ArraySlice<Character>) -> String? {
        guard let first = content.first, first != "\"", first != "'", first != "{", first != "[",
            first != "|", first != ">"
        else { return nil }
        var key = ""
        var iterator = content.makeIterator()
        while let c = iterator.next() {
            if c == ":" {
                let next = iterator.next()
                if next == nil || next == " " {
                    return key.isEmpty ? nil : key
                }
                key.append(c)
                if let next { key.append(next) }
                continue
            }
            if c == "#" && key.last == " " { return nil }
            key.append(c)
        }
        return nil
    }
}
