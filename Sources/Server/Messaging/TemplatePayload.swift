import RuleEngine
import Runtime

/// The `template` object of a template message: name, language and the components that carry
/// its parameters (header, body, one per button with a value).
enum TemplatePayload {
    static func value(_ template: TemplateMessage, media: (Media) -> Value) -> Value {
        var components: [Value] = []
        if let header = template.headerMedia {
            let kind = header.kind.rawValue
            components.append(
                .object([
                    "type": "header",
                    "parameters": .array([.object(["type": .string(kind), kind: media(header)])]),
                ]))
        } else if let text = template.headerText {
            components.append(
                .object(["type": "header", "parameters": .array([.object(["type": "text", "text": .string(text)])])]))
        }
        if !template.body.isEmpty {
            components.append(
                .object([
                    "type": "body",
                    "parameters": .array(
                        template.body.map { parameter in
                            var fields: [String: Value] = ["type": "text", "text": .string(parameter.text)]
                            if let name = parameter.name { fields["parameter_name"] = .string(name) }
                            return .object(fields)
                        }),
                ]))
        }
        for button in template.buttons {
            let parameter: Value =
                button.kind == "url"
                ? .object(["type": "text", "text": .string(button.value)])
                : .object(["type": "payload", "payload": .string(button.value)])
            components.append(
                .object([
                    "type": "button", "sub_type": .string(button.kind), "index": .string(String(button.index)),
                    "parameters": .array([parameter]),
                ]))
        }
        var fields: [String: Value] = [
            "name": .string(template.name), "language": .object(["code": .string(template.language)]),
        ]
        if !components.isEmpty { fields["components"] = .array(components) }
        return .object(fields)
    }
}
