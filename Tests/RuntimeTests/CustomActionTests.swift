import RuleEngine
import Runtime
import Testing

/// A developer's own action is checked and run exactly like the built-ins.
struct CustomActionTests {
    struct Escalate: BotAction {
        struct Arguments: Decodable, Sendable {
            var priority: String
            var note: CompiledTemplate
        }

        static let name = "escalate"
        static let summary = "hand the conversation to a person"
        static let argumentShape = Shape.record(
            RecordShape(fields: [
                .required("priority", .choice(["low", "normal", "high"])),
                .required("note", .text(.template(maxLength: 50))),
            ]))

        func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
            context.write(StorageKey(.user, "escalated"), value: .string(arguments.priority), ttl: nil)
            context.reply("escalated (\(arguments.priority)): \(context.render(arguments.note))")
        }
    }

    var registry: ActionRegistry {
        var registry = ActionRegistry.builtIn
        registry.register(Escalate())
        return registry
    }

    @Test func badArgumentsAreCompileErrorsWithLocations() {
        let source = """
            rules:
              - when: message
                do:
                  - escalate: { priority: hihg, nte: "x" }
                  - escalat: { priority: high, note: hi }
            """
        let result = BotCompiler(catalog: registry.catalog).compile(source: source, file: "bot.yaml")
        let rendered = DiagnosticRenderer(source: source).render(result.diagnostics)
        #expect(rendered.contains("bot.yaml:4:31: error: 'hihg' is not one of: low, normal, high [invalid-value]"))
        #expect(rendered.contains("did you mean 'high'?"))
        #expect(rendered.contains("bot.yaml:4:37: error: unknown key 'nte' [unknown-key]"))
        #expect(rendered.contains("bot.yaml:4:19: error: missing required key 'note' [missing-key]"))
        #expect(rendered.contains("bot.yaml:5:9: error: unknown action 'escalat' [unknown-action]"))
        #expect(rendered.contains("did you mean 'escalate'?"))
        #expect(
            BotCompiler().compile(source: source, file: "bot.yaml").diagnostics.contains {
                $0.id == "unknown-action" && $0.message.contains("'escalate'")
            },
            "without the registration the action is unknown")
    }

    @Test func theActionRunsInsideTheEvaluator() throws {
        let bot = try loadBot(
            """
            rules:
              - when: message
                do:
                  - escalate: { priority: high, note: "{{ contact.name }} needs help" }
            """, registry: registry)
        let evaluation = try Evaluator.evaluate(
            bot, snapshot: UserSnapshot(userID: "1"), event: .message("help"), now: 0)
        #expect(evaluation.commit.outbox.map(\.displayText) == ["escalated (high): Ana needs help"])
        #expect(evaluation.commit.writes[StorageKey(.user, "escalated")] == .some(StoredValue("high")))
    }

    @Test func theSchemaIncludesCustomActions() {
        let schema = SchemaGenerator.schema(catalog: registry.catalog).jsonText
        #expect(schema.contains("\"escalate\""))
        #expect(schema.contains("hand the conversation to a person"))
    }
}
