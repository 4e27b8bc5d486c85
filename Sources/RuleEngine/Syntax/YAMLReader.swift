import Yams

/// Reads YAML text into a `SyntaxNode` tree, turning syntax errors into diagnostics.
struct YAMLReader {
    var file: String

    /// The tree, or nil when the text is not YAML at all (the reason is in `diagnostics`).
    func read(_ text: String, diagnostics: inout DiagnosticBag) -> SyntaxNode? {
        var text = text
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
            return convert(node)
        } catch let error as YamlError {
            report(error, diagnostics: &diagnostics)
            return nil
        } catch {
            diagnostics.report("yaml-syntax", "\(error)", at: SourceLocation(file: file, line: 1, column: 1))
            return nil
        }
    }

    private func convert(_ node: Node) -> SyntaxNode {
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
            let pairs = mapping.map { SyntaxNode.Pair(key: convert($0.key), value: convert($0.value)) }
            return SyntaxNode(kind: .mapping(pairs), location: location)
        case .sequence(let sequence):
            return SyntaxNode(kind: .sequence(sequence.map(convert)), location: location)
        case .alias:
            return SyntaxNode(kind: .scalar("", style: .plain), location: location)
        }
    }

    private func locate(_ mark: Mark?) -> SourceLocation {
        SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    private func report(_ error: YamlError, diagnostics: inout DiagnosticBag) {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
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
}
