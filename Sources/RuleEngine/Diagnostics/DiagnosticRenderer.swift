import Foundation

/// Renders diagnostics the way compilers print them: a header, the source line, a caret.
public struct DiagnosticRenderer: Sendable {
    private let lines: [Substring]

    /// Creates a renderer for diagnostics about `source`.
    public init(source: String) {
        lines = source.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// `file:line:col: error: message [id]`, the source line, a caret, then notes and suggestion.
    public func render(_ diagnostic: Diagnostic) -> String {
        let loc = diagnostic.location
        var out = "\(loc): \(diagnostic.severity.rawValue): \(diagnostic.message) [\(diagnostic.id)]\n"
        if loc.line >= 1, loc.line <= lines.count {
            let text = lines[loc.line - 1].replacingTabs()
            out += "  \(text)\n"
            out += "  " + String(repeating: " ", count: max(0, loc.column - 1)) + "^\n"
        }
        if let suggestion = diagnostic.suggestion {
            out += "  did you mean '\(suggestion)'?\n"
        }
        for note in diagnostic.notes {
            out += "  note: \(note)\n"
        }
        return out
    }

    /// All diagnostics rendered one after another, in the order given.
    public func render(_ diagnostics: [Diagnostic]) -> String {
        diagnostics.map(render).joined()
    }
}

extension Substring {
    fileprivate func replacingTabs() -> String {
        String(self).replacingOccurrences(of: "\t", with: " ")
    }
}
