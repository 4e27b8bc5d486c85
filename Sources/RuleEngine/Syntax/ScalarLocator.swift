/// Turns a character offset inside a scalar into the position of that character in the file,
/// so an error inside an expression or template points at the exact character.
package struct ScalarLocator: Sendable {
    private let lines: [Substring]

    package init(source: String) {
        lines = source.split(separator: "\n", omittingEmptySubsequences: false)
    }

    func location(of offset: Int, in node: SyntaxNode) -> SourceLocation {
        locations(of: [offset], in: node)[0]
    }

    /// The locations of several offsets in one pass over the scalar: a line with thousands of
    /// `{{ }}` tags costs one walk, not one per tag.
    func locations(of offsets: [Int], in node: SyntaxNode) -> [SourceLocation] {
        guard case .scalar(let text, let style) = node.kind else { return offsets.map { _ in node.location } }
        let order = offsets.indices.sorted { offsets[$0] < offsets[$1] }
        var result = [SourceLocation](repeating: node.location, count: offsets.count)
        var next = 0
        var index = 0
        var lineInBlock = 0
        var column = 0
        let firstContent = node.location.line + 1
        let indent = style == .block ? blockIndent(startingAt: firstContent) : 0
        func place(upTo limit: Int) {
            while next < order.count, offsets[order[next]] <= limit {
                let offset = offsets[order[next]]
                switch style {
                case .plain: result[order[next]] = lineInBlock > 0 ? node.location : node.location.advanced(by: offset)
                case .quoted:
                    result[order[next]] = lineInBlock > 0 ? node.location : node.location.advanced(by: offset + 1)
                case .block:
                    var location = node.location
                    location.line = firstContent + lineInBlock
                    location.column = indent + column + 1
                    result[order[next]] = location
                }
                next += 1
            }
        }
        for character in text {
            guard next < order.count else { break }
            place(upTo: index)
            if character == "\n" {
                lineInBlock += 1
                column = 0
            } else {
                column += 1
            }
            index += 1
        }
        place(upTo: Int.max)
        return result
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
