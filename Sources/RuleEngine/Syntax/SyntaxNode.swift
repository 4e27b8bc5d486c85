/// A YAML node with the source location of its first character.
///
/// The compiler's own tree: scalars keep their raw text and whether they were quoted,
/// so the compiler, not the YAML library, decides what `off`, `yes` or `08` mean.
public struct SyntaxNode: Sendable, Hashable {
    /// What kind of node this is.
    public enum Kind: Sendable, Hashable {
        /// A scalar: its text and how it was written.
        case scalar(String, style: ScalarStyle)
        /// A mapping with its pairs in source order.
        case mapping([Pair])
        /// A sequence.
        case sequence([SyntaxNode])
    }

    /// How a scalar was written, which decides how it is read and where its characters are.
    public enum ScalarStyle: Sendable, Hashable {
        /// Unquoted.
        case plain
        /// In single or double quotes.
        case quoted
        /// A `|` or `>` block.
        case block
    }

    /// One key–value pair of a mapping.
    public struct Pair: Sendable, Hashable {
        /// The key node (a scalar in every valid bot file).
        public var key: SyntaxNode
        /// The value node.
        public var value: SyntaxNode
    }

    /// The node's content.
    public var kind: Kind
    /// Where the node starts.
    public var location: SourceLocation

    /// The scalar text, if this is a scalar.
    public var scalar: String? {
        if case .scalar(let text, _) = kind { return text }
        return nil
    }

    /// Whether this is a scalar written with quotes or as a block scalar.
    public var isQuoted: Bool {
        if case .scalar(_, let style) = kind { return style != .plain }
        return false
    }

    /// The pairs, if this is a mapping.
    public var pairs: [Pair]? {
        if case .mapping(let pairs) = kind { return pairs }
        return nil
    }

    /// The items, if this is a sequence.
    public var items: [SyntaxNode]? {
        if case .sequence(let items) = kind { return items }
        return nil
    }

    /// The value for a scalar key, if this is a mapping that has it.
    public subscript(key: String) -> SyntaxNode? {
        pairs?.first { $0.key.scalar == key }?.value
    }

    /// A short name for the node's kind, used in "expected X, found Y" messages.
    var kindName: String {
        switch kind {
        case .scalar(let text, let style):
            if style == .plain, text.isEmpty || text == "~" || text == "null" { return "nothing" }
            return "a value"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }

    /// Whether this is an empty plain scalar (YAML null), as after `key:` with nothing behind it.
    var isNull: Bool {
        if case .scalar(let text, .plain) = kind { return text.isEmpty || text == "~" || text == "null" }
        return false
    }
}
