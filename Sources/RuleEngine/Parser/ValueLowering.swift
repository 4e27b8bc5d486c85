/// Turns a checked YAML node into a `Value`, typing scalars by the shape they were checked against.
package enum ValueLowering {
    static func lower(_ node: SyntaxNode, _ shape: Shape) -> Value {
        switch shape {
        case .integer: return node.scalar.flatMap(Int.init).map(Value.int) ?? .null
        case .number: return node.scalar.flatMap(Double.init).map(Value.double) ?? .null
        case .boolean: return .bool(node.scalar?.lowercased() == "true")
        case .text, .choice: return node.isNull ? .null : .string(node.scalar ?? "")
        case .none: return .null
        case .data, .actions: return data(node)
        case .list(let item, _, _): return .array((node.items ?? []).map { lower($0, item) })
        case .record(let record):
            var fields: [String: Value] = [:]
            for pair in node.pairs ?? [] {
                guard let key = pair.key.scalar, let field = record.field(key) else { continue }
                fields[key] = lower(pair.value, field.shape)
            }
            return .object(fields)
        case .dictionary(_, let value):
            var fields: [String: Value] = [:]
            for pair in node.pairs ?? [] {
                if let key = pair.key.scalar { fields[key] = lower(pair.value, value) }
            }
            return .object(fields)
        case .alternatives(let shapes):
            return ShapeChecker.choose(shapes, for: node).map { lower(node, $0) } ?? .null
        }
    }

    /// Free-form data, read with YAML 1.2's core schema: only `true`/`false` are booleans.
    package static func data(_ node: SyntaxNode) -> Value {
        switch node.kind {
        case .scalar(let text, let style):
            guard style == .plain else { return .string(text) }
            if node.isNull { return .null }
            if text == "true" || text == "false" { return .bool(text == "true") }
            if let i = Int(text), !(text.count > 1 && text.hasPrefix("0")) { return .int(i) }
            if let d = Double(text), text.contains(".") { return .double(d) }
            return .string(text)
        case .mapping(let pairs):
            var fields: [String: Value] = [:]
            for pair in pairs { if let key = pair.key.scalar { fields[key] = data(pair.value) } }
            return .object(fields)
        case .sequence(let items):
            return .array(items.map(data))
        }
    }
}
