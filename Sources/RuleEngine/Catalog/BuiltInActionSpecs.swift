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

    /// The media kinds a reply can carry, each a key of `reply`.
    public static let mediaKinds = ["image", "video", "audio", "document", "sticker"]

    static let media = Shape.alternatives([
        .text(.template()),
        .record(
            RecordShape(
                "a media file by link or id",
                exactlyOneOf: ["link", "id"],
                fields: [
                    .optional("link", .text(.template()), "an https URL WhatsApp downloads the file from"),
                    .optional("id", .text(.template()), "a media id: uploaded, or message.media_id of a received file"),
                    .optional("filename", .text(.template()), "the file name a document is shown with"),
                ])),
    ])

    static let ctaURL = RecordShape(
        "a button that opens a web page",
        fields: [
            .required(
                "button", .text(.template(maxLength: WhatsAppLimits.buttonTitle, tooLongId: "button-title-too-long")),
                "the button's label, at most 20 characters"),
            .required("url", .text(.template()), "the https URL it opens"),
        ])

    static let reply = RecordShape(
        "a message sent back to the user",
        exclusiveGroups: [["text", "named_text", "template"], mediaKinds, ["buttons", "list", "cta_url"]],
        oneOrMoreOf: ["text", "named_text", "template"] + mediaKinds,
        fields: [
            .optional(
                "text", .text(.template(maxLength: WhatsAppLimits.textBody)),
                "the message text, or the caption of media; may use {{ variables }}"),
            .optional("named_text", .text(.templateName), "the name of a text declared under texts:"),
            .deprecated("template", .text(.templateName), replacement: "named_text"),
            .optional("quote", .boolean, "send as a reply to the user's message (default false)"),
            .optional("preview_url", .boolean, "show a preview of the first link (default: for https links)"),
            .optional("image", media, "an image (JPEG or PNG): link or media id; text is its caption"),
            .optional("video", media, "a video (MP4): link or media id; text is its caption"),
            .optional("audio", media, "an audio file or voice note: link or media id; no caption"),
            .optional("document", media, "a file: link or media id, with filename; text is its caption"),
            .optional("sticker", media, "a WebP sticker: link or media id; no caption"),
            .optional(
                "buttons", .list(.record(button), maxItems: 3, tooManyId: "too-many-buttons"),
                "up to 3 reply buttons; with image, video or document, that is the header"),
            .optional("list", .record(list), "a list message instead of buttons"),
            .optional("cta_url", .record(ctaURL), "one button that opens a web page"),
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
                atMostOneOf: ["after", "at"],
                fields: [
                    .required("timer", .text(.timerName), "the timer's name"),
                    .optional(
                        "after", .text(.durationOrExpression),
                        "overrides the timer's declared duration: 2h, or =expression giving seconds or a duration"),
                    .optional(
                        "at", .text(.expression),
                        "fire at this time instead: an expression giving a time, such as at_time(add_days(now, 1), \"10:00\")"
                    ),
                ])),
    ])

    static let templateButton = RecordShape(
        "the value of one of the template's buttons",
        exactlyOneOf: ["payload", "url_suffix"],
        fields: [
            .optional("payload", .text(.template()), "what comes back as message.button when a quick reply is tapped"),
            .optional("url_suffix", .text(.template()), "the end of a URL button's address"),
        ])

    /// `send_template`'s arguments, also a rule's `fallback_template:`.
    static let sendTemplate = Shape.alternatives([
        .text(.whatsAppTemplateName),
        .record(
            RecordShape(
                "a WhatsApp template message",
                fields: [
                    .required("name", .text(.whatsAppTemplateName), "a template declared under whatsapp_templates:"),
                    .optional("language", .text(.plain), "overrides the declared language code"),
                    .optional(
                        "header", .alternatives([.text(.template()), .record(mediaHeader)]),
                        "the header's value: text, or {image|video|document: link or id}"),
                    .optional(
                        "body",
                        .alternatives([.list(.text(.template())), .dictionary(key: .name, value: .text(.template()))]),
                        "the body's values: a list for {{1}}, {{2}}…, or name: value for named parameters"),
                    .optional("buttons", .list(.record(templateButton), maxItems: 10), "the buttons' values, in order"),
                ])),
    ])

    static let mediaHeader = RecordShape(
        "a media header of a template",
        exactlyOneOf: ["image", "video", "document"],
        fields: [
            .optional("image", .text(.template()), "an https link or a media id"),
            .optional("video", .text(.template()), "an https link or a media id"),
            .optional("document", .text(.template()), "an https link or a media id"),
        ])

    static let contact = RecordShape(
        "a contact card",
        fields: [
            .required("name", .text(.template()), "the name shown"),
            .optional("phone", .text(.template()), "a phone number, such as +34 600 000 000"),
            .optional("email", .text(.template()), "an email address"),
        ])

    /// Every built-in action.
    public static let all: [ActionSpec] = [
        ActionSpec(
            name: "reply",
            arguments: .alternatives([.text(.template(maxLength: WhatsAppLimits.textBody)), .record(reply)]),
            summary: "send a message to the user: text, media, buttons, a list or a link button",
            effects: [.sendsMessage, .sendsFreeForm], shorthand: .field("text")),
        ActionSpec(
            name: "send_template", arguments: sendTemplate,
            summary: "send a WhatsApp template message; the only kind allowed outside the 24-hour window",
            effects: [.sendsMessage], shorthand: .field("name")),
        ActionSpec(
            name: "send_location",
            arguments: .record(
                RecordShape(fields: [
                    .required("latitude", .data, "degrees north, -90 to 90; a number or =expression"),
                    .required("longitude", .data, "degrees east, -180 to 180; a number or =expression"),
                    .optional("name", .text(.template()), "the place's name"),
                    .optional("address", .text(.template()), "its address"),
                ])), summary: "send a place on the map", effects: [.sendsMessage, .sendsFreeForm]),
        ActionSpec(
            name: "send_contacts", arguments: .list(.record(contact), maxItems: 20),
            summary: "send contact cards", effects: [.sendsMessage, .sendsFreeForm], shorthand: .listField("contacts")),
        ActionSpec(
            name: "react",
            arguments: .text(.template(maxLength: WhatsAppLimits.reactionEmoji, tooLongId: "invalid-reaction")),
            summary: "put an emoji on the user's message; \"\" removes the bot's reaction",
            effects: [.sendsMessage, .sendsFreeForm], shorthand: .field("emoji")),
        ActionSpec(
            name: "request_location", arguments: .text(.template(maxLength: WhatsAppLimits.interactiveBody)),
            summary: "ask the user to share their location, with a button", effects: [.sendsMessage, .sendsFreeForm],
            shorthand: .field("text")),
        ActionSpec(
            name: "call",
            arguments: .record(
                RecordShape(fields: [
                    .required("api", .text(.apiName), "an API declared under apis:"),
                    .optional(
                        "method", .choice(["GET", "POST", "PUT", "PATCH", "DELETE"]),
                        "the HTTP method (default GET, or POST with a body)"),
                    .optional(
                        "path", .text(.template()), "added to the API's base_url, such as /tickets/{{ user.ticket }}"),
                    .optional("query", .dictionary(key: .name, value: .data), "query parameters"),
                    .optional("body", .data, "a JSON body: values, =expressions and {{ templates }}"),
                    .required(
                        "as", .text(.name),
                        "the result's name: when: { response: NAME } and when: { call_failed: NAME } handle it"),
                ])),
            summary: "call an HTTP API after the commit; the answer comes back as an event in the user's order",
            effects: [.returns(argument: "as")]),
        ActionSpec(
            name: "typing", arguments: .none,
            summary: "mark the user's message as read and show a typing indicator (up to 25 s, or until the reply)",
            effects: [.sendsMessage], shorthand: .empty),
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
