import RuleEngine

/// `set`: store a value, replacing what was there.
struct SetAction: BuiltInAction {
    struct Arguments: Decodable, Sendable {
        var key: StoragePath
        var value: DataTemplate
        var ttl: DurationArgument?
    }

    static let name = "set"

    func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
        let value = context.evaluate(arguments.value)
        context.write(arguments.key.key, path: arguments.key.path[...], value: value, ttl: arguments.ttl?.seconds)
    }
}

/// `merge`: write some fields of a record, keeping the others.
struct MergeAction: BuiltInAction {
    typealias Arguments = SetAction.Arguments

    static let name = "merge"

    func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
        guard case .object(let fields) = context.evaluate(arguments.value) else {
            throw RuntimeError.action("merge needs a mapping as its value")
        }
        let ttl = arguments.ttl?.seconds
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            context.write(arguments.key.key, path: (arguments.key.path + [name])[...], value: value, ttl: ttl)
        }
    }
}

/// `append`: add an item to a stored list, keeping at most `max` newest items.
struct AppendAction: BuiltInAction {
    struct Arguments: Decodable, Sendable {
        var key: StoragePath
        var value: DataTemplate
        var max: Int?
        var ttl: DurationArgument?
    }

    static let name = "append"

    func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
        context.append(
            context.evaluate(arguments.value), to: arguments.key.key, path: arguments.key.path[...],
            max: arguments.max, ttl: arguments.ttl?.seconds)
    }
}

/// `increment`: add to a stored number.
struct IncrementAction: BuiltInAction {
    struct Arguments: Decodable, Sendable {
        var key: StoragePath
        var by: Double?
        var ttl: DurationArgument?
    }

    static let name = "increment"

    func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
        var current = context.read(arguments.key.key)
        for field in arguments.key.path { current = current[field] }
        let by = arguments.by ?? 1
        let whole = by == by.rounded()
        let next: Value
        if whole, case .int(let i) = current, let step = Int(checking: by),
            case let (sum, false) = i.addingReportingOverflow(step)
        {
            next = .int(sum)
        } else if whole, current == .null, let step = Int(checking: by) {
            next = .int(step)
        } else {
            let sum = (current.number ?? 0) + by
            next = sum.isFinite ? .double(sum) : current
        }
        context.write(arguments.key.key, path: arguments.key.path[...], value: next, ttl: arguments.ttl?.seconds)
    }
}

/// `delete`: remove stored values or fields.
struct DeleteAction: BuiltInAction {
    struct Arguments: Decodable, Sendable {
        var keys: [StoragePath]
    }

    static let name = "delete"

    func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
        for key in arguments.keys {
            context.delete(key.key, path: key.path[...])
        }
    }
}
