import RuleEngine

/// Renders compiled templates: a walk over segments, no parsing, no HTML escaping.
///
/// Bounded twice: every segment and loop turn spends a step of the event's budget, and the
/// text stops growing at `RuntimeLimits.replyCharacters` (cut with a trace warning), so nested
/// `{{#each}}` over stored lists can neither run for long nor build megabytes.
struct TemplateRenderer: Sendable {
    let interpreter: ExpressionInterpreter

    func render(_ template: CompiledTemplate, _ source: some VariableSource, budget: EvaluationBudget) -> String {
        var out = ""
        var locals: [String: Value] = [:]
        let limit = budget.limits.replyCharacters
        render(template.segments, source, &locals, into: &out, budget: budget, limit: limit)
        // Counting Characters walks the text; its UTF-8 length is known, and never smaller.
        if out.utf8.count > limit, out.count > limit {
            out = String(out.prefix(limit - 1)) + "…"
            budget.warnings.append("a text was cut to \(limit) characters (RuntimeLimits.replyCharacters)")
        }
        return out
    }

    private func render(
        _ segments: [TemplateSegment], _ source: some VariableSource, _ locals: inout [String: Value],
        into out: inout String, budget: EvaluationBudget, limit: Int
    ) {
        for segment in segments {
            // UTF-8 bytes are at least as many as characters, and counting them costs nothing.
            guard budget.spend(), out.utf8.count <= limit * 4 else { return }
            switch segment {
            case .text(let text):
                out += text
            case .value(let expression):
                out += interpreter.evaluate(expression, source, locals: locals).text
            case .conditional(let condition, let then, let otherwise):
                let branch = interpreter.evaluate(condition, source, locals: locals).isTruthy ? then : otherwise
                render(branch, source, &locals, into: &out, budget: budget, limit: limit)
            case .each(let list, let variable, let body):
                guard case .array(let items) = interpreter.evaluate(list, source, locals: locals) else { continue }
                let saved = (locals[variable], locals["loop"])
                for (index, item) in items.enumerated() {
                    guard budget.spend(), out.utf8.count <= limit * 4 else { break }
                    locals[variable] = item
                    locals["loop"] = .object([
                        "index": .int(index + 1), "count": .int(items.count),
                        "first": .bool(index == 0), "last": .bool(index == items.count - 1),
                    ])
                    render(body, source, &locals, into: &out, budget: budget, limit: limit)
                }
                locals[variable] = saved.0
                locals["loop"] = saved.1
            }
        }
    }
}
