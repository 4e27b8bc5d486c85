import CRE2

/// A regular expression matched by RE2: time linear in the text, memory bounded, whatever the
/// pattern — so no message a user sends can hold a worker (`(a+)+$` on "aaaa…!" backtracks
/// exponentially in ICU's `NSRegularExpression`; here it is one pass).
///
/// RE2's syntax is Perl's without backreferences and look-around; a pattern using those is
/// refused when the bot is compiled, with RE2's reason.
///
/// ```swift
/// let regex = try LinearRegex("^order #(\\d+)$")
/// regex.matches("order #42")  // true
/// ```
public final class LinearRegex: @unchecked Sendable {
    // @unchecked: the RE2 object is immutable after compilation, and RE2 documents its
    // matching methods as safe to call from several threads at once.
    private let compiled: OpaquePointer
    /// The pattern as written.
    public let pattern: String

    /// Memory RE2 may use for one compiled pattern (its own default is 8 MiB).
    public static let maximumProgramBytes: Int64 = 8 << 20

    /// Why a pattern cannot be used.
    public struct Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// RE2's reason, such as `invalid perl operator: (?<`.
        public var reason: String
        /// The reason.
        public var description: String { reason }
    }

    /// Compiles `pattern`, or throws with RE2's reason.
    public init(_ pattern: String) throws(Error) {
        var error: UnsafeMutablePointer<CChar>? = nil
        var text = pattern
        let compiled = text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                rulebot_re2_new(chars.baseAddress, chars.count, Self.maximumProgramBytes, &error)
            }
        }
        guard let compiled else {
            let reason = error.map { String(cString: $0) } ?? "cannot compile the pattern"
            rulebot_re2_free_error(error)
            throw Error(reason: reason)
        }
        self.compiled = compiled
        self.pattern = pattern
    }

    deinit {
        rulebot_re2_free(compiled)
    }

    /// Whether the pattern matches anywhere in `text`.
    public func matches(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                rulebot_re2_search(compiled, chars.baseAddress, chars.count) == 1
            }
        }
    }
}
