/// Argument shapes of the built-in actions; the runtime's implementations are registered under these names.
public enum BuiltInActionSpecs {
    static let ttl = Field.optional(
        "ttl", .text(.duration), "how long the value lives, such as 24h; refreshed by each write")
    static let key = Field.required(
        "key", .text(.storageKey), "where to write: user.NAME, table.NAME or state.NAME, with optional .fields")

    static let button = RecordShape(
        "a reply button",
        fields: [
            .required("id", .text(.name), "what the bot receives when the button is tapped"),
            .required(
                "title", .text(.template(maxLength: WhatsAppLimits.buttonTitle, tooLongId: "button-title-too-long")),
                "the label, at most 20 characters"),
        ])

    static let listRow = RecordShape(
        "a row of a list message",
        fields: [
            .required("id", .text(.name), "what the bot receives when the row is chosen"),
            .required(
                "title", .text(.template(maxLength: WhatsAppLimits.rowTitle, tooLongId: "text-too-long")),
                "at most 24 characters"),
            .optional(
                "description", .text(.template(maxLength: WhatsAppLimits.rowDescription, tooLongId: "text-too-long")),
                "at most 72 characters"),
        ])

    static let list = RecordShape(
        "a list message",
        fields: [
            .required(
                "button", .text(.template(maxLength: WhatsAppLimits.buttonTitle, tooLongId: "button-title-too-long")),
                "the label of the button that opens the list"),
            .required(
                "sections",
                .list(
                    .record(
                        RecordShape(
                            "a section of the list",
                            fields: [
                                .optional(
                                    "title",
                                    .text(.template(maxLength: WhatsAppLimits.rowTitle, tooLongId: "text-too-long")),
                                    "section heading"),
                                .required("rows", .list(.record(listRow), maxItems: 10), "the rows, at most 10 in all"),
                            ])), maxItems: 10), "one or more sections"),
        ])

    static let reply = RecordShape(
        "a message sent back to the user",
        exactlyOneOf: ["text", "template"],
        atMostOneOf: ["buttons", "list"],
        fields: [
            .optional(
                "text", .text(.template(maxLength: WhatsAppLimits.textBody)),
                "the message text; may use {{ variables }}"),
            .optional("template", .text(.templateName), "the name of a template declared under templates:"),
            .optional("quote", .boolean, "send as a reply to the user's message (default false)"),
            .optional(
                "buttons", .list(.record(button), maxItems: 3, tooManyId: "too-many-buttons"), "up to 3 reply buttons"),
            .optional("list", .record(list), "a list message instead of buttons"),
            .optional(
                "header", .text(.template(maxLength: WhatsAppLimits.headerOrFooter)),
                "a header above the text (with buttons or list)"),
            .optional(
                "footer", .text(.template(maxLength: WhatsAppLimits.headerOrFooter)),
                "a footer below the text (with buttons or list)"),
        ])

    static let timerStart = Shape.alternatives([
        .text(.timerName),
        .record(
            RecordShape(
                fields: [
                    .required("timer", .text(.timerName), "the timer's name"),
                    .optional("after", .text(.duration), "overrides the timer's declared duration"),
                ])),
    ])

    /// Every built-in action.
    public static let all: [ActionSpec] = [
        ActionSpec(
            name: "reply",
            arguments: .alternatives([.text(.template(maxLength: WhatsAppLimits.textBody)), .record(reply)]),
            summary: "send a message to the user: text, a template, buttons or a list",
            effects: [.sendsMessage], shorthand: .field("text")),
        ActionSpec(
            name: "mark_read",
            arguments: .alternatives([
                .none, .record(RecordShape(fields: [.optional("typing", .boolean, "also show a typing indicator")])),
            ]), summary: "mark the user's message as read (blue ticks)", effects: [.sendsMessage], shorthand: .empty),
        ActionSpec(
            name: "set",
            arguments: .record(
                RecordShape(fields: [
                    key, .required("value", .data, "the value; =expression or {{ template }} text"), ttl,
                ])),
            summary: "store a value, replacing what was there"),
        ActionSpec(
            name: "merge",
            arguments: .record(
                RecordShape(fields: [key, .required("value", .data, "a mapping of fields to write"), ttl])),
            summary: "write some fields of a stored record, keeping the others"),
        ActionSpec(
            name: "append",
            arguments: .record(
                RecordShape(fields: [
                    key, .required("value", .data, "the item to add"),
                    .optional("max", .integer(minimum: 1), "keep only the newest this many items"), ttl,
                ])), summary: "add an item to the end of a stored list"),
        ActionSpec(
            name: "increment",
            arguments: .alternatives([
                .text(.storageKey),
                .record(RecordShape(fields: [key, .optional("by", .number, "the amount, default 1"), ttl])),
            ]), summary: "add to a stored number (missing counts as 0)",
            shorthand: .field("key")),
        ActionSpec(
            name: "delete", arguments: .alternatives([.text(.storageKey), .list(.text(.storageKey))]),
            summary: "remove stored values", effects: [.deletesKeys], shorthand: .listField("keys")),
        ActionSpec(
            name: "goto", arguments: .text(.stateName), summary: "move the user to another state",
            effects: [.entersState(argument: "state")], shorthand: .field("state")),
        ActionSpec(
            name: "start_timer", arguments: timerStart, summary: "start a timer unless it is already running",
            effects: [.startsTimer(argument: "timer")], shorthand: .field("timer")),
        ActionSpec(
            name: "restart_timer", arguments: timerStart,
            summary: "start a timer again from now, replacing a running one",
            effects: [.startsTimer(argument: "timer")], shorthand: .field("timer")),
        ActionSpec(
            name: "cancel_timer", arguments: .text(.timerName), summary: "stop a running timer",
            effects: [.cancelsTimer(argument: "timer")], shorthand: .field("timer")),
        ActionSpec(name: "stop", arguments: .none, summary: "evaluate no further rules for this event"),
    ]
}
