/// Generates a JSON Schema of the bot language from the same shapes the compiler checks,
/// so a YAML language server offers completion and hover docs that never drift from the compiler.
public enum SchemaGenerator {
    /// The schema for bot files using `catalog`'s actions, as a `Value` ready to encode.
    public static func schema(catalog: ActionCatalog = .builtIn) -> Value {
        var root = convert(.record(BotShape.file), catalog: catalog)
        if case .object(var fields) = root {
            fields["$schema"] = "http://json-schema.org/draft-07/schema#"
            fields["title"] = "RuleBot bot file"
            root = .object(fields)
        }
        return root
    }

    static func convert(_ shape: Shape, catalog: ActionCatalog, summary: String = "") -> Value {
        var schema: [String: Value] = [:]
        switch shape {
        case .text(let kind):
            schema["type"] = "string"
            if case .template(let max?, _) = kind { schema["maxLength"] = .int(max) }
            if kind == .trigger {
                schema["anyOf"] = .array([
                    .object(["enum": .array((BotShape.triggerWords + BotShape.messageTypes).map(Value.string))]),
                    .object(["pattern": "^/\\S+$"]),
                ])
            }
        case .integer(let minimum):
            schema["type"] = "integer"
            if let minimum { schema["minimum"] = .int(minimum) }
        case .number:
            schema["type"] = "number"
        case .boolean:
            schema["type"] = "boolean"
        case .choice(let words):
            schema["enum"] = .array(words.map(Value.string))
        case .list(let item, let maxItems, _):
            schema["type"] = "array"
            schema["items"] = convert(item, catalog: catalog)
            if let maxItems { schema["maxItems"] = .int(maxItems) }
        case .record(let record):
            schema["type"] = "object"
            schema["additionalProperties"] = false
            var properties: [String: Value] = [:]
            for field in record.fields {
                var property = convert(field.shape, catalog: catalog, summary: field.summary)
                if field.replacement != nil, case .object(var fields) = property {
                    fields["deprecated"] = true
                    property = .object(fields)
                }
                properties[field.name] = property
            }
            schema["properties"] = .object(properties)
            let required = record.fields.filter(\.isRequired).map { Value.string($0.name) }
            if !required.isEmpty { schema["required"] = .array(required) }
            if !record.exactlyOneOf.isEmpty {
                schema["oneOf"] = .array(record.exactlyOneOf.map { .object(["required": .array([.string($0)])]) })
            }
            if summary.isEmpty, !record.summary.isEmpty { schema["description"] = .string(record.summary) }
        case .dictionary(_, let value):
            schema["type"] = "object"
            schema["additionalProperties"] = convert(value, catalog: catalog)
        case .alternatives(let shapes):
            schema["anyOf"] = .array(shapes.map { convert($0, catalog: catalog) })
        case .none:
            schema["type"] = "null"
        case .data:
            break
        case .actions:
            schema["type"] = "array"
            schema["items"] = .object(["anyOf": .array(actionSchemas(catalog))])
        }
        if !summary.isEmpty { schema["description"] = .string(summary) }
        return .object(schema)
    }

    private static func actionSchemas(_ catalog: ActionCatalog) -> [Value] {
        var bare: [Value] = []
        var keyed: [Value] = []
        for name in catalog.names {
            guard let spec = catalog.specs[name] else { continue }
            let accepts =
                ShapeChecker.choose(
                    [spec.arguments],
                    for: SyntaxNode(kind: .scalar("", style: .plain), location: .init(file: "", line: 1, column: 1)))
                != nil
            if accepts { bare.append(.string(name)) }
            keyed.append(
                .object([
                    "type": "object", "additionalProperties": false, "minProperties": 1, "maxProperties": 1,
                    "properties": .object([name: convert(spec.arguments, catalog: catalog, summary: spec.summary)]),
                    "description": .string(spec.summary),
                ]))
        }
        return [.object(["enum": .array(bare)])] + keyed
    }
}
