/// Durations as bot files write them: `15s`, `1h`, `7d`, `1h30m`, `500ms`.
public enum DurationText {
    private static let units: [(String, Double)] = [
        ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 604800),
    ]

    /// The longest duration a bot may write: 100 years, so any timer's due time stays a finite date.
    public static let maximumSeconds: Double = 100 * 365 * 86400

    /// The number of seconds, or nil when `text` is not a duration or is longer than `maximumSeconds`.
    public static func seconds(_ text: String) -> Double? {
        unbounded(text).flatMap { $0 <= maximumSeconds ? $0 : nil }
    }

    /// The number of seconds without the upper bound, or nil when `text` is not a duration.
    static func unbounded(_ text: String) -> Double? {
        var rest = Substring(text.trimmed)
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber || $0 == "." }
            guard !digits.isEmpty, let amount = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let unitText = rest.prefix { $0.isLetter }
            guard let unit = units.first(where: { $0.0 == unitText.lowercased() }) else { return nil }
            rest = rest.dropFirst(unitText.count)
            total += amount * unit.1
        }
        return total.isFinite ? total : nil
    }

    /// The human form of a number of seconds: `15s`, `1h`, `1h30m`.
    public static func format(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int(saturating: seconds * 1000))ms" }
        var rest = Int(saturating: seconds)
        var parts: [String] = []
        for (unit, size) in [("d", 86400), ("h", 3600), ("m", 60), ("s", 1)] where rest >= size {
            parts.append("\(rest / size)\(unit)")
            rest %= size
        }
        return parts.joined()
    }
}

extension String {
    /// The text without leading and trailing white space.
    var trimmed: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
