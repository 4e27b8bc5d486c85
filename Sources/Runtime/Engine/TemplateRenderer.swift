import RuleEngine

/// Renders compiled templates: a walk over segments, no parsing, no HTML escaping.
struct TemplateRenderer: Sendable {
    let interpreter: ExpressionInterpreter

    func render(_ template: CompiledTemplate, _ source: some VariableSource) -> String {
        var out = ""
        var locals: [String: Value] = [:]
        render(template.segments, source, &locals, into: &out)
        return out
    }

    private func render(
        _ segments: [TemplateSegment], _ source: some VariableSource, _ locals: inout [String: Value],
        into out: inout String
    ) {
        for segment in segments {
            switch segment {
            case .text(let text):
                out += text
            case .value(let expression):
                out += interpreter.evaluate(expression, source, locals: locals).text
            case .conditional(let condition, let then, let otherwise):
                let branch = interpreter.evaluate(condition, source, locals: locals).isTruthy ? then : otherwise
                render(branch, source, &locals, into: &out)
            case .each(let list, let variable, let body):
                guard case .array(let items) = interpreter.evaluate(list, source, locals: locals) else { continue }
                let saved = (locals[variable], locals["loop"])
                for (index, item) in items.enumerated() {
                    locals[variable] = item
                    locals["loop"] = .object([
                        "index": .int(index + 1), "count": .int(items.count),
                        "first": .bool(index == 0), "last": .bool(index == items.count - 1),
                    ])
                    render(body, source, &locals, into: &out)
                }
                locals[variable] = saved.0
                locals["loop"] = saved.1
            }
        }
    }
}
