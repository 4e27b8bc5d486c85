public import RuleEngine

/// Reads conversation test files, reporting mistakes as diagnostics with locations.
public enum ConversationParser {
    /// Parses `source`; the spec is nil when there were errors (see the diagnostics).
    public static func parse(source: String, file: String) -> (ConversationSpec?, [Diagnostic]) {
        var diagnostics = DiagnosticBag()
        guard CompileLimits.checkSize(of: source, file: file, into: &diagnostics) else {
            return (nil, diagnostics.sorted)
        }
        var reader = YAMLReader(file: file)
        guard let root = reader.read(source, diagnostics: &diagnostics) else {
            return (nil, diagnostics.sorted)
        }
        var checker = ShapeChecker(catalog: ActionCatalog([]), locator: ScalarLocator(source: source))
        checker.check(root, against: .record(shape))
        for d in checker.diagnostics.all where d.id != "undefined-variable" { diagnostics.report(d) }
        guard !diagnostics.hasErrors else { return (nil, diagnostics.sorted) }

        var spec = ConversationSpec(
            bot: root["bot"]?.scalar ?? "", user: root["user"]?.scalar ?? "15550000001", name: root["name"]?.scalar,
            tests: [])
        spec.calls = readMocks(root["calls"])
        for pair in root["env"]?.pairs ?? [] {
            if let name = pair.key.scalar, let value = pair.value.scalar { spec.environment[name] = value }
        }
        for test in root["tests"]?.items ?? [] {
            let steps = (test["steps"]?.items ?? []).compactMap { readStep($0, &diagnostics) }
            spec.tests.append(
                .init(
                    name: test["name"]?.scalar ?? "unnamed", location: test.location, steps: steps,
                    calls: readMocks(test["calls"])))
        }
        return (diagnostics.hasErrors ? nil : spec, diagnostics.sorted)
    }

    /// Reads a mocks file for `rulebot chat --mocks`: `calls:` and `env:` as in a test file.
    public static func parseMocks(source: String, file: String) -> (
        calls: [String: CallMock], environment: [String: String], diagnostics: [Diagnostic]
    ) {
        var diagnostics = DiagnosticBag()
        var reader = YAMLReader(file: file)
        guard let root = reader.read(source, diagnostics: &diagnostics) else { return ([:], [:], diagnostics.sorted) }
        var checker = ShapeChecker(catalog: ActionCatalog([]), locator: ScalarLocator(source: source))
        checker.check(root, against: .record(mocksShape))
        for d in checker.diagnostics.all { diagnostics.report(d) }
        var environment: [String: String] = [:]
        for pair in root["env"]?.pairs ?? [] {
            if let name = pair.key.scalar, let value = pair.value.scalar { environment[name] = value }
        }
        return (readMocks(root["calls"]), environment, diagnostics.sorted)
    }

    static let mocksShape = RecordShape(
        "answers for a bot's calls",
        fields: [
            .optional("calls", .dictionary(key: .name, value: .data), "how calls are answered, by their as: name"),
            .optional("env", .dictionary(key: .name, value: .text(.plain)), "environment for ${NAME} in API settings"),
        ])

    private static func readMocks(_ node: SyntaxNode?) -> [String: CallMock] {
        var mocks: [String: CallMock] = [:]
        for pair in node?.pairs ?? [] {
            if let name = pair.key.scalar { mocks[name] = CallMock.read(ValueLowering.data(pair.value)) }
        }
        return mocks
    }

    private static func readStep(_ node: SyntaxNode, _ diagnostics: inout DiagnosticBag) -> ConversationSpec.Step? {
        let user = node["from"]?.scalar
        func step(_ kind: ConversationSpec.StepKind) -> ConversationSpec.Step {
            .init(kind: kind, location: node.location, user: user)
        }
        if let send = node["send"] {
            if let text = send.scalar { return step(.send(.init(text: text))) }
            var message = ConversationSpec.MessageSpec()
            message.type = send["type"]?.scalar ?? "text"
            message.text = send["text"]?.scalar
            message.caption = send["caption"]?.scalar
            message.filename = send["filename"]?.scalar
            message.button = send["button"]?.scalar
            return step(.send(message))
        }
        if let id = node["tap"]?.scalar {
            return step(.send(.init(type: "interactive", button: id)))
        }
        if let event = node["event"] {
            return step(
                .event(
                    name: event.scalar ?? event["name"]?.scalar ?? "",
                    data: event["data"].map(ValueLowering.data) ?? .null))
        }
        if let called = node["called"] {
            return step(
                .called(
                    name: called.scalar ?? called["name"]?.scalar ?? "",
                    body: called["body"].map(ValueLowering.data) ?? .null))
        }
        if let status = node["status"] {
            let error = status["error"]?.scalar.flatMap { Int($0) }
            return step(.status(name: status.scalar ?? status["name"]?.scalar ?? "delivered", error: error))
        }
        if node["resend"] != nil { return step(.resend) }
        if node["restart"] != nil { return step(.restart) }
        if let text = node["advance"]?.scalar, let seconds = DurationText.seconds(text) {
            return step(.advance(seconds: seconds))
        }
        if node["no_reply"] != nil { return step(.noReply) }
        if node["skip_replies"] != nil { return step(.skipReplies) }
        if let state = node["state"]?.scalar { return step(.state(state)) }
        if let expectNode = node["expect"], let text = expectNode.scalar {
            do {
                return step(.expect(try CompiledExpression(text)))
            } catch {
                diagnostics.report("invalid-expression", "\(error)", at: expectNode.location)
                return nil
            }
        }
        if let reply = node["reply"] {
            if let text = reply.scalar { return step(.reply(.exact(text))) }
            if let contains = reply["contains"] {
                return step(.reply(.contains((contains.items ?? [contains]).compactMap(\.scalar))))
            }
            if let pattern = reply["matches"]?.scalar { return step(.reply(.matches(pattern))) }
        }
        return nil
    }

    static let stepShape = RecordShape(
        "one step of a conversation",
        exactlyOneOf: [
            "send", "tap", "resend", "advance", "reply", "no_reply", "skip_replies", "state", "expect", "restart",
            "status", "event", "called",
        ],
        fields: [
            .optional(
                "send",
                .alternatives([
                    .text(.plain),
                    .record(
                        RecordShape(fields: [
                            .optional("type", .choice(BotShape.messageTypes)), .optional("text", .text(.plain)),
                            .optional("caption", .text(.plain)), .optional("filename", .text(.plain)),
                            .optional("button", .text(.plain)),
                        ])),
                ]), "the user sends this text (or a message of another type)"),
            .optional("tap", .text(.plain), "the user taps the button or list row with this id"),
            .optional("resend", .alternatives([.none, .boolean]), "WhatsApp delivers the previous message again"),
            .optional("advance", .text(.duration), "time passes, such as 15s; due timers fire"),
            .optional(
                "reply",
                .alternatives([
                    .text(.plain),
                    .record(
                        RecordShape(
                            exactlyOneOf: ["contains", "matches"],
                            fields: [
                                .optional("contains", .alternatives([.text(.plain), .list(.text(.plain))])),
                                .optional("matches", .text(.regex)),
                            ])),
                ]), "the bot's next reply: exact text, contains or matches"),
            .optional("no_reply", .alternatives([.none, .boolean]), "the bot sent nothing more"),
            .optional("skip_replies", .alternatives([.none, .boolean]), "forget replies not yet checked"),
            .optional("state", .text(.name), "the user is in this state"),
            .optional("expect", .text(.expression), "this expression over the user's data is true"),
            .optional("restart", .alternatives([.none, .boolean]), "stop and start the host on the same storage"),
            .optional(
                "status",
                .alternatives([
                    .choice(BotShape.statuses),
                    .record(
                        RecordShape(fields: [
                            .required("name", .choice(BotShape.statuses)),
                            .optional("error", .integer(minimum: 0), "Meta's error code, such as 131047"),
                        ])),
                ]), "WhatsApp reports this status of the bot's latest message"),
            .optional(
                "event",
                .alternatives([
                    .text(.name),
                    .record(
                        RecordShape(fields: [
                            .required("name", .text(.name)), .optional("data", .data, "the event's data"),
                        ])),
                ]), "the business posts this event for the user, as POST /api/events would"),
            .optional(
                "called",
                .alternatives([
                    .text(.name),
                    .record(
                        RecordShape(fields: [
                            .required("name", .text(.name)),
                            .optional("body", .data, "fields the request's JSON body must hold"),
                        ])),
                ]), "the bot made this call (by its as: name) since the last check"),
            .optional("from", .text(.plain), "another user's phone number for this step"),
        ])

    static let shape = RecordShape(
        "a conversation test file",
        fields: [
            .required("bot", .text(.plain), "the bot file, relative to this file"),
            .optional("user", .text(.plain), "the user's phone number"),
            .optional("name", .text(.plain), "the user's WhatsApp profile name"),
            .optional("calls", .dictionary(key: .name, value: .data), "how calls are answered, by their as: name"),
            .optional(
                "env", .dictionary(key: .name, value: .text(.plain)),
                "environment variables the bot's API settings read as ${NAME} in these tests"),
            .required(
                "tests",
                .list(
                    .record(
                        RecordShape(fields: [
                            .required("name", .text(.plain), "what the conversation checks"),
                            .optional(
                                "calls", .dictionary(key: .name, value: .data), "this test's call mocks, by as: name"),
                            .required("steps", .list(.record(stepShape)), "the steps"),
                        ]))), "the conversations"),
        ])
}
