/// `send_template` and `fallback_template:` give the values their declared WhatsApp template
/// takes: the header's kind, the body's parameters (their count, or their names), the buttons'.
/// Meta refuses a template message whose parameters do not match (error 132000 and friends)
/// only after the commit; here it is an error at the line that sends it.
enum TemplateParametersRule: ValidationRule {
    static func validate(_ document: BotDocument, into diagnostics: inout DiagnosticBag) {
        let declared = Dictionary(
            document.whatsAppTemplates.map { ($0.name, $0.template) }, uniquingKeysWith: { first, _ in first })
        let sends = document.rules.flatMap { rule in
            rule.actions.filter { $0.name == "send_template" } + (rule.fallback.map { [$0] } ?? [])
        }
        for send in sends {
            guard let name = send.arguments["name"].string, let template = declared[name] else { continue }
            for problem in problems(send.arguments, template) {
                diagnostics.report(
                    "template-parameters", "template '\(name)': \(problem)", at: send.location,
                    notes: [description(template)])
            }
        }
    }

    static func problems(_ arguments: Value, _ template: WhatsAppTemplate) -> [String] {
        var problems: [String] = []
        switch arguments["body"] {
        case .array(let values):
            if let names = template.bodyNames {
                problems.append(
                    "its body takes named parameters; write them as name: value (\(names.joined(separator: ", ")))")
            } else if values.count != template.bodyCount {
                problems.append("its body takes \(template.bodyCount) parameter(s), \(values.count) given")
            }
        case .object(let fields):
            if let names = template.bodyNames {
                let missing = names.filter { fields[$0] == nil }
                let unknown = fields.keys.filter { !names.contains($0) }.sorted()
                if !missing.isEmpty { problems.append("missing body parameter(s) \(missing.joined(separator: ", "))") }
                for name in unknown {
                    let hint = Suggestion.closest(to: name, in: names).map { "; did you mean '\($0)'?" } ?? ""
                    problems.append("its body has no parameter '\(name)'\(hint)")
                }
            } else {
                problems.append("its body takes positional parameters; write them as a list")
            }
        default:
            if template.bodyCount > 0 {
                problems.append("its body takes \(template.bodyCount) parameter(s); give them under body:")
            }
        }
        let header = arguments["header"]
        switch (template.header, header) {
        case (nil, .null): break
        case (nil, _): problems.append("it has no header that takes a value")
        case (let kind?, .null): problems.append("its \(kind) header needs a value under header:")
        case ("text", .object): problems.append("its header is text; give a text, not media")
        case (let kind?, .object(let fields)) where fields[kind] == nil:
            problems.append(
                "its header is \(kind == "image" ? "an" : "a") \(kind); write header: {\(kind): LINK-OR-ID}")
        case (let kind?, .string) where kind != "text":
            problems.append(
                "its header is \(kind == "image" ? "an" : "a") \(kind); write header: {\(kind): LINK-OR-ID}")
        default: break
        }
        if case .array(let buttons) = arguments["buttons"] {
            if buttons.count > template.buttons.count {
                problems.append("it has \(template.buttons.count) button(s) that take a value, \(buttons.count) given")
            }
            for (index, (button, kind)) in zip(buttons, template.buttons).enumerated() {
                let given = button["payload"] != .null ? "quick_reply" : "url"
                if given != kind {
                    problems.append(
                        "button \(index + 1) is \(kind == "url" ? "a url button; give url_suffix" : "a quick reply; give payload")"
                    )
                }
            }
        }
        return problems
    }

    private static func description(_ template: WhatsAppTemplate) -> String {
        var parts = ["language \(template.language)"]
        if let header = template.header { parts.append("\(header) header") }
        if let names = template.bodyNames {
            parts.append("body \(names.joined(separator: ", "))")
        } else {
            parts.append("\(template.bodyCount) body parameter(s)")
        }
        if !template.buttons.isEmpty { parts.append("buttons \(template.buttons.joined(separator: ", "))") }
        return "declared with " + parts.joined(separator: "; ")
    }
}
