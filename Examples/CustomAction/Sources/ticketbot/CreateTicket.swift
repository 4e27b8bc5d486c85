import RuleEngine
import Runtime

/// `create_ticket`: hands a support ticket to the helpdesk; the helpdesk's answer comes back to
/// the rules as `when: { response: ticket }` (or `when: { call_failed: ticket }`).
///
/// Its arguments are described by `argumentShape`, so `rulebot check` reports a bad priority
/// (`priority: hihg` → did you mean 'high'?) with file, line and column, like a built-in.
/// `perform` does no I/O: it hands off the task `helpdesk.create` (registered in main.swift),
/// which is committed with the event and run after the commit, in the user's line, even after
/// a restart.
struct CreateTicket: BotAction {
    struct Arguments: Decodable, Sendable {
        var priority: String
        var title: CompiledTemplate
    }

    static let name = "create_ticket"
    static let summary = "open a support ticket; its number comes back as when: { response: ticket }"
    /// Declared, so a rule may read `user.tickets` without `undefined-variable`, and the
    /// compiler knows a `response: ticket` rule handles what this action hands off.
    static let effects: [ActionEffect] = [
        .writes("user.tickets"), .sendsMessage, .sendsFreeForm, .returnsResult("ticket"),
    ]
    static let argumentShape = Shape.record(
        RecordShape(
            "a support ticket",
            fields: [
                .required("priority", .choice(["low", "normal", "high"]), "how urgent the ticket is"),
                .required("title", .text(.template(maxLength: 80)), "the ticket's title; may use {{ variables }}"),
            ]))

    func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
        let count = (context.read(StorageKey(.user, "tickets")).number.flatMap { Int(exactly: $0.rounded()) } ?? 0) + 1
        context.write(StorageKey(.user, "tickets"), value: .int(count), ttl: nil)
        let title = context.render(arguments.title)
        context.reply("🎫 Opening a \(arguments.priority) priority ticket: \(title)")
        context.startTask(
            "helpdesk.create", input: .object(["title": .string(title), "priority": .string(arguments.priority)]),
            as: "ticket")
    }
}
