import Foundation

/// Renders diagnostics the way compilers print them: a header, the source line, a caret.
///
/// What a file holds reaches a terminal only escaped: control characters in messages and source
/// lines are shown as visible symbols (`\n` as ␊, ESC as ␛), so a key cannot split the
/// `file:line:col` line or colour the terminal; and a long line is cut to a window around the caret.
public struct DiagnosticRenderer: Sendable {
    private let lines: [Substring]

    /// Creates a renderer for diagnostics about `source`.
    public init(source: String) {
        lines = source.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// `file:line:col: error: message [id]`, the source line, a caret, then notes and suggestion.
    public func render(_ diagnostic: Diagnostic) -> String {
        let loc = diagnostic.location
        var out =
            "\("\(loc)".visible): \(diagnostic.severity.rawValue): \(diagnostic.message.visible) [\(diagnostic.id)]\n"
        if loc.line >= 1, loc.line <= lines.count {
            let (text, caret) = Self.excerpt(Array(lines[loc.line - 1]), column: loc.column)
            out += "  \(text)\n"
            out += "  " + String(repeating: " ", count: caret) + "^\n"
        }
        if let suggestion = diagnostic.suggestion {
            out += "  did you mean '\(suggestion.visible)'?\n"
        }
        for note in diagnostic.notes {
            out += "  note: \(note.visible)\n"
        }
        return out
    }

    /// All diagnostics rendered one after another, in the order given.
    public func render(_ diagnostics: [Diagnostic]) -> String {
        diagnostics.map(render).joined()
    }

    /// At most `CompileLimits.excerptCharacters` of `line` around `column` (1-based), made
    /// visible, with the caret's offset in the result.
    static func excerpt(_ line: [Character], column: Int) -> (text: String, caret: Int) {
        let width = CompileLimits.excerptCharacters
        let target = min(max(0, column - 1), line.count)
        var start = 0
        var end = line.count
        if line.count > width {
            start = max(0, min(target - width / 2, line.count - width))
            end = start + width
        }
        let head = start > 0 ? "…" : ""
        let tail = end < line.count ? "…" : ""
        let text = head + String(line[start..<end]).visible + tail
        return (text, head.count + target - start)
    }
}

extension String {
    /// The text with tabs as spaces and every other control character as its Unicode control
    /// picture (one character each, so columns stay aligned).
    var visible: String {
        guard
            unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || (0x80..<0xA0).contains($0.value) })
        else { return self }
        var out = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            switch scalar.value {
            case 0x09: out.append(" ")
            case 0..<0x20: out.append(Unicode.Scalar(0x2400 + scalar.value) ?? "?")
            case 0x7F: out.append("\u{2421}")
            case 0x80..<0xA0: out.append("\u{FFFD}")
            default: out.append(scalar)
            }
        }
        return String(out)
    }
}
