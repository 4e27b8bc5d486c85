import RuleEngine

extension Value {
    /// The value as a trace shows it: text quoted, a missing value as `missing`, anything long cut.
    public var traceText: String {
        let text: String =
            switch self {
            case .null: "missing"
            case .string(let s): "\"\(s)\""
            default: jsonText
            }
        return text.count <= 80 ? text : String(text.prefix(79)) + "…"
    }
}
