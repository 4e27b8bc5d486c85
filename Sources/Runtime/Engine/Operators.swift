import Foundation
import RuleEngine

/// The binary operators' meaning on values.
enum Operators {
    static func apply(_ op: BinaryOperator, _ l: Value, _ r: Value, regexes: RegexCache) -> Value {
        switch op {
        case .equal: return .bool(equal(l, r))
        case .notEqual: return .bool(!equal(l, r))
        case .less: return compare(l, r).map { .bool($0 < 0) } ?? .bool(false)
        case .lessOrEqual: return compare(l, r).map { .bool($0 <= 0) } ?? .bool(false)
        case .greater: return compare(l, r).map { .bool($0 > 0) } ?? .bool(false)
        case .greaterOrEqual: return compare(l, r).map { .bool($0 >= 0) } ?? .bool(false)
        case .contains: return .bool(contains(l, r))
        case .matches:
            guard case .string(let text) = l, case .string(let pattern) = r, let regex = regexes.regex(pattern) else {
                return .bool(false)
            }
            return .bool(regex.matches(text))
        case .plus:
            if case .string(let a) = l { return .string(a + r.text) }
            if case .string(let b) = r { return .string(l.text + b) }
            if case .array(let a) = l, case .array(let b) = r { return .array(a + b) }
            return arithmetic(l, r, &+, +)
        case .minus: return arithmetic(l, r, &-, -)
        case .times: return arithmetic(l, r, &*, *)
        case .divide:
            guard let a = l.number, let b = r.number, b != 0 else { return .null }
            let q = a / b
            if case .int = l, case .int = r, let whole = Int(exactly: q) { return .int(whole) }
            return q.isFinite ? .double(q) : .null
        case .modulo:
            guard case .int(let a) = l, case .int(let b) = r, b != 0 else { return .null }
            // Int.min % -1 overflows; its remainder is 0.
            return .int(a.remainderReportingOverflow(dividingBy: b).partialValue)
        case .and, .or, .coalesce:
            return .null
        }
    }

    static func equal(_ l: Value, _ r: Value) -> Bool {
        if let a = l.number, let b = r.number { return a == b }
        return l == r
    }

    static func compare(_ l: Value, _ r: Value) -> Int? {
        if let a = l.number, let b = r.number { return a < b ? -1 : a > b ? 1 : 0 }
        if case .string(let a) = l, case .string(let b) = r { return a < b ? -1 : a > b ? 1 : 0 }
        return nil
    }

    private static func contains(_ l: Value, _ r: Value) -> Bool {
        switch l {
        case .string(let text): return text.range(of: r.text, options: .caseInsensitive) != nil
        case .array(let items): return items.contains { equal($0, r) }
        case .object(let fields): return r.string.map { fields[$0] != nil } ?? false
        default: return false
        }
    }

    private static func arithmetic(
        _ l: Value, _ r: Value, _ ints: (Int, Int) -> Int, _ doubles: (Double, Double) -> Double
    ) -> Value {
        switch (l, r) {
        case (.int(let a), .int(let b)): return .int(ints(a, b))
        default:
            guard let a = l.number, let b = r.number else { return .null }
            let result = doubles(a, b)
            return result.isFinite ? .double(result) : .null
        }
    }
}
