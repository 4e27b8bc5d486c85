import RuleEngine
import Runtime

/// `create_ticket`: opens a support ticket and tells the user its number.
///
/// Its arguments are described by `argumentShape`, so `rulebot check` reports a bad priority
/// (`priority: hihg` → did you mean 'high'?) with file, line and column, like a built-in.
struct CreateTicket: BotAction {
    struct Arguments: Decodable, Sendable {
        var priority: String
        var title: CompiledTemplate
    }

    static let name = "create_ticket"
    static let summary = "open a support ticket and reply with its number"
    /// Declared, so a rule may read `user.tickets` without `undefined-variable`.
    static let effects: [ActionEffect] = [.writes("user.tickets"), .sendsMessage]
    static let argumentShape = Shape.record(
        RecordShape(
            "a support ticket",
            fields: [
                .required("priority", .choice(["low", "normal", "high"]), "how urgent the ticket is"),
                .required("title", .text(.template(maxLength: 80)), "the ticket's title; may use {{ variables }}"),
            ]))

    func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
        let number = (context.read(StorageKey(.user, "tickets")).number.flatMap { Int(exactly: $0.rounded()) } ?? 0) + 1
        context.write(StorageKey(.user, "tickets"), value: .int(number), ttl: nil)
        let title = context.render(arguments.title)
        context.reply("🎫 Ticket #\(number) opened (\(arguments.priority) priority): \(title)")
        // Real I/O (calling a help desk) belongs after the commit, so a failed event never leaves a ticket behind.
        context.afterCommit {
            print("help desk: would create ticket #\(number) '\(title)'")
        }
    }
}
