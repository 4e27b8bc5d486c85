/// Diagnostics as SARIF 2.1.0, the format code-scanning views read (GitHub, GitLab, VS Code's
/// SARIF viewer): one run of the tool `rulebot`, a result per diagnostic with its id, level,
/// message (did-you-mean and notes included) and file:line:column.
public enum SARIFReport {
    /// The SARIF log for `diagnostics`.
    public static func render(_ diagnostics: [Diagnostic]) -> String {
        let ids = Array(Set(diagnostics.map(\.id))).sorted()
        let rules: [Value] = ids.map { .object(["id": .string($0)]) }
        let results: [Value] = diagnostics.map { diagnostic in
            var text = diagnostic.message
            if let suggestion = diagnostic.suggestion { text += "; did you mean '\(suggestion)'?" }
            for note in diagnostic.notes { text += "\n" + note }
            return .object([
                "ruleId": .string(diagnostic.id),
                "level": .string(diagnostic.severity == .error ? "error" : "warning"),
                "message": .object(["text": .string(text)]),
                "locations": .array([
                    .object([
                        "physicalLocation": .object([
                            "artifactLocation": .object(["uri": .string(diagnostic.location.file)]),
                            "region": .object([
                                "startLine": .int(diagnostic.location.line),
                                "startColumn": .int(diagnostic.location.column),
                            ]),
                        ])
                    ])
                ]),
            ])
        }
        let log: Value = .object([
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": .array([
                .object([
                    "tool": .object(["driver": .object(["name": "rulebot", "rules": .array(rules)])]),
                    // Our columns count characters, not UTF-16 units.
                    "columnKind": "unicodeCodePoints",
                    "results": .array(results),
                ])
            ]),
        ])
        return log.prettyJSON
    }
}
