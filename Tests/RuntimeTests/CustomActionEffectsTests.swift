import RuleEngine
import Runtime
import Testing

/// A custom action's declared effects take part in every check, as a built-in's do.
struct CustomActionEffectsTests {
    /// Opens a ticket: stores its number in `user.ticket` and moves the user to `waiting`.
    struct OpenTicket: BotAction {
        struct Arguments: Decodable, Sendable {
            var subject: String
        }

        static let name = "open_ticket"
        static let summary = "open a helpdesk ticket"
        static let argumentShape = Shape.alternatives([
            .text(.plain), .record(RecordShape(fields: [.required("subject", .text(.plain))])),
        ])
        static let effects: [ActionEffect] = [.writes("user.ticket"), .enters(state: "waiting")]
        static let shorthand: ActionShorthand? = .field("subject")

        func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
            context.write(StorageKey(.user, "ticket"), value: .int(42), ttl: nil)
            context.write(.machine, path: ["name"], value: .string("waiting"), ttl: nil)
        }
    }

    /// Moves the user to the state named in its `to` argument.
    struct Transfer: BotAction {
        struct Arguments: Decodable, Sendable {
            var to: String
        }

        static let name = "transfer"
        static let summary = "move the user to a team's state"
        static let argumentShape = Shape.record(RecordShape(fields: [.required("to", .text(.stateName))]))
        static let effects: [ActionEffect] = [.entersState(argument: "to")]

        func perform(_ arguments: Arguments, in context: inout ActionContext) throws {}
    }

    static let bot = """
        states:
          start: {}
          waiting: {}
          sales: {}
        rules:
          - when: /ticket
            do:
              - open_ticket: printer is broken
          - when: /sales
            do:
              - transfer: { to: sales }
          - when: message
            in: [waiting, sales]
            do:
              - reply: "ticket #{{ user.ticket }}"
              - goto: start
        """

    func compile(with actions: [any BotAction]) -> CompileResult {
        var registry = ActionRegistry.builtIn
        for action in actions { registry.register(action) }
        return BotCompiler(catalog: registry.catalog).compile(source: Self.bot, file: "bot.yaml")
    }

    @Test func aDeclaredWriteIsReadableAndADeclaredGotoMakesItsStateReachable() {
        let diagnostics = compile(with: [OpenTicket(), Transfer()]).diagnostics
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.message))")
    }

    @Test func withoutDeclaredEffectsTheSameBotIsFlagged() {
        let diagnostics = compile(with: [UndeclaredTicket(), UndeclaredTransfer()]).diagnostics
        #expect(diagnostics.contains { $0.id == "undefined-variable" && $0.message.contains("user.ticket") })
        #expect(diagnostics.contains { $0.id == "unreachable-state" && $0.message.contains("'waiting'") })
        #expect(diagnostics.contains { $0.id == "unreachable-state" && $0.message.contains("'sales'") })
    }

    @Test func theShorthandIsRewrittenForTheRuntime() async throws {
        var registry = ActionRegistry.builtIn
        registry.register(OpenTicket())
        registry.register(Transfer())
        let bot = try loadBot(Self.bot, registry: registry)
        let sender = RecordingSender()
        let replying = BotHost(bots: BotSet([bot]), storage: MemoryStorage(), sender: sender, time: VirtualTime())
        await replying.handle(InboxEntry(bot: bot.name, event: .message("/ticket", from: "u1")))
        await replying.handle(InboxEntry(bot: bot.name, event: .message("any news?", from: "u1")))
        #expect(sender.drain().map(\.displayText) == ["ticket #42"])
    }
}

/// The same actions as above without their effects: what a checker that knew only built-in
/// names would see.
private struct UndeclaredTicket: BotAction {
    struct Arguments: Decodable, Sendable {}
    static let name = "open_ticket"
    static let summary = "an action that declares nothing"
    static let argumentShape = Shape.text(.plain)

    func perform(_ arguments: Arguments, in context: inout ActionContext) throws {}
}

private struct UndeclaredTransfer: BotAction {
    struct Arguments: Decodable, Sendable {}
    static let name = "transfer"
    static let summary = "an action that declares nothing"
    static let argumentShape = Shape.record(RecordShape(fields: [.required("to", .text(.plain))]))

    func perform(_ arguments: Arguments, in context: inout ActionContext) throws {}
}
