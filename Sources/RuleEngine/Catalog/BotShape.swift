/// The shape of a whole bot file, the single source for the compiler's checks and the JSON Schema.
public enum BotShape {
    /// The message types a trigger can name, as WhatsApp sends them.
    public static let messageTypes = [
        "text", "image", "audio", "video", "document", "sticker", "location", "contacts", "interactive",
        "button", "reaction", "order", "system", "unsupported", "unknown",
    ]

    /// Delivery statuses a `status` trigger can name.
    public static let statuses = ["sent", "delivered", "read", "played", "failed"]

    /// The words a trigger may be besides a command or a message type.
    public static let triggerWords = ["message", "command", "status", "send_failed", "resumed"]

    static let trigger = Shape.alternatives([
        .text(.trigger),
        .record(
            RecordShape(
                "what starts the rule",
                exactlyOneOf: [
                    "command", "type", "text", "text_contains", "text_matches", "button", "timer", "status",
                    "response", "call_failed", "event",
                ],
                fields: [
                    .optional(
                        "command", .alternatives([.text(.command), .list(.text(.command))]),
                        "a command such as /HISTORY (any case)"),
                    .optional(
                        "type", .alternatives([.choice(messageTypes), .list(.choice(messageTypes))]), "a message type"),
                    .optional("text", .text(.plain), "a text message equal to this (any case, spaces trimmed)"),
                    .optional("text_contains", .text(.plain), "a text message containing this (any case)"),
                    .optional("text_matches", .text(.regex), "a text message matching this regular expression"),
                    .optional("button", .text(.plain), "a tap on a reply button or list row with this id"),
                    .optional("timer", .text(.timerName), "a timer of this name firing"),
                    .optional(
                        "status", .alternatives([.choice(statuses), .list(.choice(statuses))]),
                        "a delivery status of a message the bot sent"),
                    .optional(
                        "response", .text(.resultName),
                        "the answer to the call (or custom work) that names its result this"),
                    .optional(
                        "call_failed", .text(.resultName),
                        "the call (or custom work) that names its result this failed for good"),
                    .optional("event", .text(.name), "an event the business posted for the user (POST /api/events)"),
                    .optional("case_sensitive", .boolean, "match commands and text exactly as written (default false)"),
                ])),
    ])

    static let rule = RecordShape(
        "a rule: when something happens (and conditions hold), do actions",
        fields: [
            .optional("id", .text(.name), "a name for logs, traces and metrics; default rule-N"),
            .optional("description", .text(.plain), "what the rule is for"),
            .required("when", trigger, "the event: message, command, a message type, /COMMAND, or a mapping"),
            .optional("in", .alternatives([.text(.stateName), .list(.text(.stateName))]), "only in these states"),
            .optional("if", .text(.expression), "only when this expression is true"),
            .required("do", .actions, "the actions, in order"),
            .optional("continue", .boolean, "keep evaluating later rules after this one (default false)"),
            .optional(
                "fallback_template", BuiltInActionSpecs.sendTemplate,
                "a WhatsApp template sent instead of this rule's messages when the 24-hour window is closed"),
        ])

    static let state = Shape.alternatives([
        .none,
        .record(
            RecordShape(
                "a state of the per-user state machine",
                fields: [
                    .optional("initial", .boolean, "new users start here (default: the first state)"),
                    .optional(
                        "ttl", .text(.duration),
                        "after this long without a message the user returns to the initial state"),
                    .optional("description", .text(.plain), "what the state means"),
                ])),
    ])

    static let timer = Shape.alternatives([
        .text(.duration),
        .record(
            RecordShape(
                "a named timer",
                fields: [
                    .required("after", .text(.duration), "how long after it is started it fires"),
                    .optional("description", .text(.plain), "what the timer is for"),
                ])),
    ])

    /// An HTTP API the bot calls with `call`.
    static let api = Shape.record(
        RecordShape(
            "an HTTP API of the business",
            fields: [
                .required(
                    "base_url", .text(.plain),
                    "http(s)://host/path the call's path is added to; may read ${ENVIRONMENT_VARIABLES}"),
                .optional(
                    "headers", .dictionary(key: .name, value: .text(.plain)),
                    "headers sent with every call; values may read ${ENVIRONMENT_VARIABLES}, such as a token"),
                .optional("timeout", .text(.duration), "how long one attempt may take (default 10s)"),
                .optional(
                    "attempts", .integer(minimum: 1),
                    "tries on network errors, 429 and 5xx before call_failed (default 3)"),
                .optional(
                    "allow_private", .boolean,
                    "allow loopback and private addresses (a service on this machine or network; default false)"),
                .optional("description", .text(.plain), "what the API is"),
            ]))

    /// The parts of a template message that take values; Meta's template says which.
    public static let templateHeaderKinds = ["text", "image", "video", "document"]
    /// The kinds of buttons of a template that take a value.
    public static let templateButtonKinds = ["quick_reply", "url"]

    static let whatsAppTemplate = Shape.record(
        RecordShape(
            "a template approved in WhatsApp Manager, and the parameters it takes",
            fields: [
                .required("language", .text(.plain), "its language code, such as en_US or es"),
                .optional(
                    "header", .choice(templateHeaderKinds),
                    "a header that takes a parameter: text, image, video or document"),
                .optional(
                    "body", .alternatives([.integer(minimum: 0), .list(.text(.name))]),
                    "the body's parameters: how many ({{1}}, {{2}}, …) or their names"),
                .optional(
                    "buttons", .list(.choice(templateButtonKinds), maxItems: 10),
                    "the buttons that take a value, in order: quick_reply or url"),
                .optional("description", .text(.plain), "what the template says"),
            ]))

    /// The whole file.
    public static let file = RecordShape(
        "a RuleBot bot",
        fields: [
            .optional("bot", .text(.name), "the bot's name (default: the file name)"),
            .optional("description", .text(.plain), "what the bot does"),
            .optional("timezone", .text(.timeZone), "time zone for format_time, such as Europe/Madrid (default UTC)"),
            .optional(
                "storage", .text(.storageURL), "preferred storage, such as json:./cache_data; the command line wins"),
            .optional(
                "phone_number_id", .text(.plain), "the WhatsApp phone number id this bot answers, when serving several"),
            .optional(
                "throughput", .integer(minimum: 1),
                "messages per second Meta allows this bot's number (default: serve's --send-rate, 80)"),
            .optional("states", .dictionary(key: .name, value: state), "the per-user states"),
            .optional("timers", .dictionary(key: .name, value: timer), "named timers and their durations"),
            .optional(
                "texts", .dictionary(key: .name, value: .text(.template(maxLength: WhatsAppLimits.textBody))),
                "reusable reply texts, sent with reply: {named_text: NAME}"),
            .deprecated(
                "templates", .dictionary(key: .name, value: .text(.template(maxLength: WhatsAppLimits.textBody))),
                replacement: "texts"),
            .optional(
                "whatsapp_templates", .dictionary(key: .name, value: whatsAppTemplate),
                "Meta-approved template messages the bot sends with send_template"),
            .optional("apis", .dictionary(key: .name, value: api), "HTTP APIs the bot calls with call:"),
            .optional(
                "sensitive", .list(.text(.plain)),
                "stored keys shown as ••• in traces and the console, such as user.email or user.card"),
            .optional("vars", .dictionary(key: .name, value: .data), "constants the bot reads as vars.NAME"),
            .required("rules", .list(.record(rule)), "the rules, tried in order"),
        ])
}
