import Foundation
import RuleEngine
import Synchronization

/// Where an expression's names come from: the event, the user's data, template loop variables.
protocol VariableSource {
    /// The whole value of a root name such as `message` or `user`.
    func value(ofRoot name: String) -> Value
    /// `root.member`, answered directly when the source can do it faster than building the root.
    func value(ofRoot name: String, member: String) -> Value
}

/// Evaluates expressions over `Value`s. Never throws: an operation that makes no sense
/// (text minus a number, division by zero) gives null, so a bot never crashes on odd data.
struct ExpressionInterpreter: Sendable {
    /// `text` as a time in the bot's time zone, as `parse_time` reads it.
    func parseTime(_ text: String, format: String?) -> Double? {
        CalendarTime.parse(text, format: format, timeZone: timeZone)
    }

    let timeZone: TimeZone
    let regexes: RegexCache

    func evaluate(_ expression: RuleEngine.Expression, _ source: some VariableSource, locals: [String: Value] = [:])
        -> Value
    {
        switch expression {
        case .literal(let value):
            return value
        case .variable(let name):
            return locals[name] ?? source.value(ofRoot: name)
        case .member(.variable(let root), let name) where locals[root] == nil:
            return source.value(ofRoot: root, member: name)
        case .member(let base, let name):
            return evaluate(base, source, locals: locals)[name]
        case .index(let base, let index):
            return subscriptValue(evaluate(base, source, locals: locals), evaluate(index, source, locals: locals))
        case .unary(.not, let operand):
            return .bool(!evaluate(operand, source, locals: locals).isTruthy)
        case .unary(.negate, let operand):
            switch evaluate(operand, source, locals: locals) {
            case .int(let i): return .int(-i)
            case .double(let d): return .double(-d)
            default: return .null
            }
        case .binary(.and, let l, let r):
            return .bool(evaluate(l, source, locals: locals).isTruthy && evaluate(r, source, locals: locals).isTruthy)
        case .binary(.or, let l, let r):
            return .bool(evaluate(l, source, locals: locals).isTruthy || evaluate(r, source, locals: locals).isTruthy)
        case .binary(.coalesce, let l, let r):
            let left = evaluate(l, source, locals: locals)
            return left == .null ? evaluate(r, source, locals: locals) : left
        case .binary(let op, let l, let r):
            return Operators.apply(
                op, evaluate(l, source, locals: locals), evaluate(r, source, locals: locals), regexes: regexes)
        case .call(let name, let arguments):
            if name == "if", arguments.count == 3 {
                return evaluate(arguments[0], source, locals: locals).isTruthy
                    ? evaluate(arguments[1], source, locals: locals) : evaluate(arguments[2], source, locals: locals)
            }
            let values = arguments.map { evaluate($0, source, locals: locals) }
            return Functions.call(name, values, timeZone: timeZone)
        case .list(let items):
            return .array(items.map { evaluate($0, source, locals: locals) })
        }
    }

    private func subscriptValue(_ base: Value, _ index: Value) -> Value {
        switch (base, index) {
        case (.array(let items), .int(let i)):
            let position = i < 0 ? items.count + i : i
            return items.indices.contains(position) ? items[position] : .null
        case (.object(let fields), .string(let key)):
            return fields[key] ?? .null
        default:
            return .null
        }
    }
}

/// Compiled regular expressions, shared by every evaluation of a graph.
///
/// A pattern may come from stored data (`message.text matches user.pattern`), so the cache is
/// bounded: past `capacity` patterns it starts again rather than grow with what users send.
final class RegexCache: Sendable {
    private let cache = Mutex<[String: LinearRegex]>([:])
    static let capacity = 512

    /// The compiled pattern, or nil when RE2 cannot run it (such a pattern matches nothing).
    func regex(_ pattern: String) -> LinearRegex? {
        if let cached = cache.withLock({ $0[pattern] }) { return cached }
        guard let regex = try? LinearRegex(pattern) else { return nil }
        cache.withLock { cache in
            if cache.count >= Self.capacity { cache.removeAll(keepingCapacity: true) }
            cache[pattern] = regex
        }
        return regex
    }
}
