import Foundation
import RuleEngine

/// The implementations of `ExpressionFunction`s.
enum Functions {
    static func call(_ name: String, _ a: [Value], timeZone: TimeZone) -> Value {
        switch (name, a.count) {
        case ("count", 1):
            switch a[0] {
            case .array(let items): return .int(items.count)
            case .object(let fields): return .int(fields.count)
            case .string(let s): return .int(s.count)
            case .null: return .int(0)
            default: return .int(1)
            }
        case ("lower", 1): return a[0] == .null ? .null : .string(a[0].text.lowercased())
        case ("upper", 1): return a[0] == .null ? .null : .string(a[0].text.uppercased())
        case ("trim", 1):
            return a[0] == .null ? .null : .string(a[0].text.trimmingCharacters(in: .whitespacesAndNewlines))
        case ("truncate", 2):
            guard a[0] != .null else { return .null }
            let n = max(0, Int(saturating: a[1].number ?? 0))
            return .string(String(a[0].text.prefix(n)))
        case ("first", 1): if case .array(let items) = a[0] { return items.first ?? .null } else { return .null }
        case ("last", 1): if case .array(let items) = a[0] { return items.last ?? .null } else { return .null }
        case ("first", 2):
            if case .array(let items) = a[0] {
                return .array(Array(items.prefix(max(0, Int(saturating: a[1].number ?? 0)))))
            } else {
                return .array([])
            }
        case ("last", 2):
            if case .array(let items) = a[0] {
                return .array(Array(items.suffix(max(0, Int(saturating: a[1].number ?? 0)))))
            } else {
                return .array([])
            }
        case ("join", 2):
            if case .array(let items) = a[0] {
                return .string(items.map(\.text).joined(separator: a[1].text))
            } else {
                return .null
            }
        case ("format_time", 2):
            guard let timestamp = a[0].number else { return .null }
            return .string(TimeFormat.format(timestamp, pattern: a[1].text, timeZone: timeZone))
        case ("round", 1): return a[0].number.map { whole($0.rounded()) } ?? .null
        case ("round", 2):
            guard let x = a[0].number, let d = a[1].number else { return .null }
            let scale = pow(10, min(15, max(-15, d.rounded())))
            // A number too large to scale has no digits at that place to round.
            guard (x * scale).isFinite else { return finite(x) }
            return finite((x * scale).rounded() / scale)
        case ("format_number", 2):
            guard let x = a[0].number, x.isFinite, let d = a[1].number, d.isFinite else { return .null }
            return .string(String(format: "%.*f", Int(min(15, max(0, d.rounded()))), x))
        case ("floor", 1): return a[0].number.map { whole($0.rounded(.down)) } ?? .null
        case ("min", 2): return minMax(a[0], a[1], <)
        case ("max", 2): return minMax(a[0], a[1], >)
        case ("default", 2): return a[0].isTruthy ? a[0] : a[1]
        case ("plural", 3): return a[0].number == 1 ? a[1] : a[2]
        case ("starts_with", 2): return .bool(a[0].text.lowercased().hasPrefix(a[1].text.lowercased()))
        case ("number", 1):
            if a[0].number != nil { return a[0] }
            let text = a[0].text.trimmingCharacters(in: .whitespaces)
            if let i = Int(text) { return .int(i) }
            // Only decimal numbers: `Double("inf")`, `"nan"` and `"0x1p3"` are not numbers a user means.
            guard text.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }) else { return .null }
            return Double(text).map(finite) ?? .null
        case ("string", 1): return .string(a[0].text)
        case ("parse_time", 1), ("parse_time", 2):
            guard let text = a[0].string else { return a[0].number.map(Value.double) ?? .null }
            let format = a.count == 2 ? a[1].string : nil
            return CalendarTime.parse(text, format: format, timeZone: timeZone).map(Value.double) ?? .null
        case ("add_days", 2):
            guard let time = a[0].number, let days = a[1].number else { return .null }
            return CalendarTime.addDays(time, days, timeZone: timeZone).map(Value.double) ?? .null
        case ("start_of_day", 1):
            guard let time = a[0].number else { return .null }
            return CalendarTime.startOfDay(time, timeZone: timeZone).map(Value.double) ?? .null
        case ("at_time", 2):
            guard let time = a[0].number, let clock = a[1].string else { return .null }
            return CalendarTime.atTime(time, clock, timeZone: timeZone).map(Value.double) ?? .null
        case ("duration", 1):
            if let seconds = a[0].number { return .double(seconds) }
            return a[0].string.flatMap(DurationText.seconds).map(Value.double) ?? .null
        default: return .null
        }
    }

    /// A whole number as `int` when it fits, else as a finite `double`.
    private static func whole(_ x: Double) -> Value {
        Int(checking: x).map(Value.int) ?? finite(x)
    }

    private static func finite(_ x: Double) -> Value {
        x.isFinite ? .double(x) : .null
    }

    private static func minMax(_ x: Value, _ y: Value, _ better: (Double, Double) -> Bool) -> Value {
        guard let a = x.number, let b = y.number else { return .null }
        return better(a, b) ? x : y
    }
}
