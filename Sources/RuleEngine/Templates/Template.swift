/// A piece of a compiled template.
public indirect enum TemplateSegment: Sendable, Hashable, Codable {
    /// Literal text, printed as is (chat text is never HTML-escaped).
    case text(String)
    /// `{{ expression }}`: the value's text.
    case value(Expression)
    /// `{{#each list as name}}…{{/each}}`: the body once per item, with `loop.index` from 1.
    case each(Expression, variable: String, body: [TemplateSegment])
    /// `{{#if condition}}…{{else}}…{{/if}}`.
    case conditional(Expression, then: [TemplateSegment], otherwise: [TemplateSegment])
}

/// A template compiled once into segments, so rendering is a walk with no parsing.
///
/// Encodes as its source text and decodes by compiling it, so custom actions can take
/// templates as arguments.
public struct CompiledTemplate: Sendable, Hashable, Codable {
    /// The source text.
    public let source: String
    /// The compiled segments.
    public let segments: [TemplateSegment]

    /// Compiles `source`; throws `ExpressionError` when a tag does not parse.
    public init(_ source: String) throws {
        self.source = source
        var parser = TemplateParser(source)
        self.segments = try parser.parse().segments
    }

    init(source: String, segments: [TemplateSegment]) {
        self.source = source
        self.segments = segments
    }

    /// Decodes from the source text.
    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes as the source text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(source)
    }

    /// The length of the longest text this template can print if all its values were empty.
    var literalLength: Int {
        segments.reduce(0) { $0 + $1.literalLength }
    }
}

extension TemplateSegment {
    fileprivate var literalLength: Int {
        switch self {
        case .text(let text): text.count
        case .value: 0
        case .each(_, _, let body): body.reduce(0) { $0 + $1.literalLength }
        case .conditional(_, let then, let otherwise):
            max(then.reduce(0) { $0 + $1.literalLength }, otherwise.reduce(0) { $0 + $1.literalLength })
        }
    }
}
