import Yams

/// Reads YAML text into a `SyntaxNode` tree, turning syntax errors into diagnostics.
package struct YAMLReader {
    var file: String
    /// The last line of the text read and its length, where errors found at its end are reported.
    private var lastLine = 1
    private var lastLineLength = 0
    /// Nodes that may still be built; aliases re-expand their subtree at every use.
    private var nodeBudget = CompileLimits.yamlNodes

    package init(file: String) {
        self.file = file
    }

    /// The tree, or nil when the text is not YAML at all (the reason is in `diagnostics`).
    package mutating func read(_ text: String, diagnostics: inout DiagnosticBag) -> SyntaxNode? {
        var text = text
        // Counted on bytes: splitting the whole text into Characters costs a tenth of a compile.
        let bytes = text.utf8
        let body = bytes.last == UInt8(ascii: "\n") ? bytes.dropLast() : bytes[...]
        lastLine = 1 + body.lazy.filter { $0 == UInt8(ascii: "\n") }.count
        let lastStart = body.lastIndex(of: UInt8(ascii: "\n")).map(bytes.index(after:)) ?? body.startIndex
        lastLineLength = String(decoding: body[lastStart...], as: UTF8.self).count
        // Yams composes recursively, one stack frame per level: refuse deep text before it does.
        if let excess = NestingScanner.firstExcess(in: text) {
            diagnostics.report(
                "nesting-too-deep",
                "the YAML nests more than \(CompileLimits.yamlNesting) levels deep here; a bot file needs only a few",
                at: SourceLocation(file: file, line: excess.line, column: excess.column))
            return nil
        }
        // Duplicate keys abort Yams' parse, so find them first, report each, and rename the later
        // ones out of the way so the rest of the file is still checked in the same run.
        for duplicate in DuplicateKeyScanner.scan(text) {
            diagnostics.report(
                "duplicate-key", "key '\(duplicate.key)' is already defined on line \(duplicate.firstLine)",
                at: SourceLocation(file: file, line: duplicate.line, column: duplicate.column))
            text = DuplicateKeyScanner.rename(duplicate, in: text)
        }
        do {
            guard let node = try Yams.compose(yaml: text) else {
                return SyntaxNode(
                    kind: .scalar("", style: .plain), location: SourceLocation(file: file, line: 1, column: 1))
            }
            guard let converted = convert(node) else {
                diagnostics.report(
                    "yaml-too-large",
                    "the YAML holds more than \(CompileLimits.yamlNodes) nodes once its aliases are expanded",
                    at: SourceLocation(file: file, line: 1, column: 1),
                    notes: ["each use of an alias (*name) counts every node of what it names"])
                return nil
            }
            return converted
        } catch let error as YamlError {
            report(error, in: text, diagnostics: &diagnostics)
            return nil
        } catch {
            diagnostics.report("yaml-syntax", "\(error)", at: SourceLocation(file: file, line: 1, column: 1))
            return nil
        }
    }

    /// The node as a `SyntaxNode`, or nil when building it would pass the node budget.
    private mutating func convert(_ node: Node) -> SyntaxNode? {
        nodeBudget -= 1
        guard nodeBudget >= 0 else { return nil }
        let location = locate(node.mark)
        switch node {
        case .scalar(let scalar):
            let style: SyntaxNode.ScalarStyle =
                switch scalar.style {
                case .literal, .folded: .block
                case .singleQuoted, .doubleQuoted: .quoted
                default: .plain
                }
            return SyntaxNode(kind: .scalar(scalar.string, style: style), location: location)
        case .mapping(let mapping):
            var pairs: [SyntaxNode.Pair] = []
            for (key, value) in mapping {
                guard let key = convert(key), let value = convert(value) else { return nil }
                pairs.append(SyntaxNode.Pair(key: key, value: value))
            }
            return SyntaxNode(kind: .mapping(pairs), location: location)
        case .sequence(let sequence):
            var items: [SyntaxNode] = []
            for item in sequence {
                guard let item = convert(item) else { return nil }
                items.append(item)
            }
            return SyntaxNode(kind: .sequence(items), location: location)
        case .alias:
            return SyntaxNode(kind: .scalar("", style: .plain), location: location)
        }
    }

    /// A mark past the end of the text (libyaml's for "unexpected end") is put on the last line.
    private func locate(_ mark: Mark?) -> SourceLocation {
        guard let mark else { return SourceLocation(file: file, line: 1, column: 1) }
        if mark.line > lastLine { return SourceLocation(file: file, line: lastLine, column: lastLineLength + 1) }
        return SourceLocation(file: file, line: max(1, mark.line), column: max(1, mark.column))
    }

    private func report(_ error: YamlError, in text: String, diagnostics: inout DiagnosticBag) {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            if problem.contains("mapping values are not allowed"),
                let slip = Self.missingColon(before: locate(mark).line, in: text)
            {
                // YAML notices `- when /x` only at the next key; the slip is on the line before.
                diagnostics.report(
                    "yaml-syntax", "missing ':' after '\(slip.key)'",
                    at: SourceLocation(file: file, line: slip.line, column: slip.column),
                    suggestion: "\(slip.key): \(slip.value)",
                    notes: ["YAML noticed it at line \(locate(mark).line): \(problem)"])
                return
            }
            let notes = context.map { ["\($0.text) that started at line \($0.mark.line), column \($0.mark.column)"] }
            diagnostics.report(
                "yaml-syntax", problem, at: locate(mark), notes: notes ?? [])
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            diagnostics.report("duplicate-key", "key \(keys) is defined more than once", at: locate(context.mark))
        case .reader(let problem, _, _, _):
            diagnostics.report("yaml-syntax", problem, at: locate(nil))
        default:
            diagnostics.report("yaml-syntax", "\(error)", at: locate(nil))
        }
    }

    /// The nearest non-blank line before `line` when it reads like a key without its colon
    /// (`- when /x`, `  goto done`): its line, column, key and value.
    static func missingColon(before line: Int, in text: String) -> (line: Int, column: Int, key: String, value: String)?
    {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var index = line - 2
        while index >= 0, lines[index].allSatisfy(\.isWhitespace) { index -= 1 }
        guard index >= 0, index < lines.count else { return nil }
        let candidate = String(lines[index])
        guard !candidate.contains(":"), !candidate.trimmingPrefix(while: \.isWhitespace).hasPrefix("#"),
            let match = candidate.wholeMatch(of: /(\s*(?:-\s+)?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]+(\S.*)/)
        else { return nil }
        return (index + 1, match.output.1.count + 1, String(match.output.2), String(match.output.3))
    }
}
