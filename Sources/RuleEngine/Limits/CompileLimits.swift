/// The compiler's bounds on its input, so no bot file can exhaust the stack, memory or time of
/// `check` or of a server reloading it. Each limit, when passed, is a located diagnostic.
public enum CompileLimits {
    /// Bytes in one bot or test file (`file-too-large`).
    public static let fileBytes = 2 << 20
    /// Levels of YAML nesting: block indentation, `- ` entries and flow `[`/`{` together (`nesting-too-deep`).
    public static let yamlNesting = 64
    /// YAML nodes after aliases are expanded, each use of an alias counting its whole subtree (`yaml-too-large`).
    public static let yamlNodes = 250_000
    /// Levels of parentheses, calls, lists, `not` and unary minus in one expression (`invalid-expression`).
    public static let expressionNesting = 64
    /// Tokens in one expression (`invalid-expression`).
    public static let expressionTokens = 1_000
    /// Levels of `{{#if}}` and `{{#each}}` inside one another in one template (`invalid-template`).
    public static let templateNesting = 16
    /// Diagnostics reported for one file; the rest are counted in a last `too-many-diagnostics`.
    public static let diagnostics = 200
    /// Characters of a source line shown under a diagnostic; longer lines are cut around the caret.
    public static let excerptCharacters = 120
}

extension CompileLimits {
    /// Reports `file-too-large` and returns false when `source` is over `fileBytes`.
    package static func checkSize(of source: String, file: String, into diagnostics: inout DiagnosticBag) -> Bool {
        let size = source.utf8.count
        guard size > fileBytes else { return true }
        diagnostics.report(
            "file-too-large", "the file is \(size) bytes; a bot or test file may have at most \(fileBytes)",
            at: SourceLocation(file: file, line: 1, column: 1))
        return false
    }
}
