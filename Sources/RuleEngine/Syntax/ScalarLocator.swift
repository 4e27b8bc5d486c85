/// Turns a character offset inside a scalar into the position of that character in the file,
/// so an error inside an expression or template points at the exact character.
struct ScalarLocator: Sendable {
    private let lines: [Substring]

    init(source: String) {
        lines = source.split(separator: "\n", omittingEmptySubsequences: false)
    }

    func location(of offset: Int, in node: SyntaxNode) -> SourceLocation {
        guard case .scalar(let text, let style) = node.kind else { return node.location }
        let prefix = text.prefix(offset)
        switch style {
        case .plain:
            return prefix.contains("\n") ? node.location : node.location.advanced(by: offset)
        case .quoted:
            return prefix.contains("\n") ? node.location : node.location.advanced(by: offset + 1)
        case .block:
            let lineInBlock = prefix.reduce(0) { $1 == "\n" ? $0 + 1 : $0 }
            let column = prefix.split(separator: "\n", omittingEmptySubsequences: false).last?.count ?? 0
            let firstContent = node.location.line + 1
            let indent = blockIndent(startingAt: firstContent)
            var location = node.location
            location.line = firstContent + lineInBlock
            location.column = indent + column + 1
            return location
        }
    }

    private func blockIndent(startingAt line: Int) -> Int {
        var index = line
        while index <= lines.count {
            let text = lines[index - 1]
            if !text.allSatisfy({ $0 == " " }) { return text.prefix { $0 == " " }.count }
            index += 1
        }
        return 0
    }
}
