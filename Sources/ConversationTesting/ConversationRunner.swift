import Foundation
import Logging
public import RuleEngine
public import Runtime

/// The outcome of one conversation test.
public struct ConversationResult: Sendable {
    /// The test's name.
    public var name: String
    /// Where the test is.
    public var location: SourceLocation
    /// Why it failed, with the failing step's location; nil when it passed.
    public var failure: String?
    /// Traces of each event, when requested.
    public var traces: [String]

    /// Whether it passed.
    public var passed: Bool { failure == nil }

    /// A result.
    public init(name: String, location: SourceLocation, failure: String?, traces: [String]) {
        self.name = name
        self.location = location
        self.failure = failure
        self.traces = traces
    }
}

/// Runs conversation tests against a bot on fresh in-memory storage and a virtual clock,
/// through the same inbox, dedupe, evaluation, commit and outbox path the server uses.
public struct ConversationRunner: Sendable {
    let bot: LoadedBot
    let makeStorage: @Sendable () throws -> any BotStorage
    let observer: any HostObserver
    let registry: ActionRegistry

    /// A runner for `bot`; each test gets storage from `makeStorage` (fresh memory by default),
    /// and `observer` sees every evaluation (a `CoverageRecorder` for `rulebot test --coverage`).
    /// Calls are answered by the tests' mocks; tasks registered in `registry` really run.
    public init(
        bot: LoadedBot, makeStorage: @escaping @Sendable () throws -> any BotStorage = { MemoryStorage() },
        observer: any HostObserver = NoObserver(), registry: ActionRegistry = .builtIn
    ) {
        self.bot = bot
        self.makeStorage = makeStorage
        self.observer = observer
        self.registry = registry
    }

    /// 2026-01-01 10:30:00 UTC: a fixed start so tests with times are repeatable.
    public static let startTime: Double = 1_767_263_400

    /// Runs every test in `spec`.
    public func run(_ spec: ConversationSpec, trace: Bool = false) async -> [ConversationResult] {
        var results: [ConversationResult] = []
        for test in spec.tests {
            results.append(await run(test, spec: spec, trace: trace))
        }
        return results
    }

    private func run(_ test: ConversationSpec.Test, spec: ConversationSpec, trace: Bool) async -> ConversationResult {
        var result = ConversationResult(name: test.name, location: test.location, failure: nil, traces: [])
        let storage: any BotStorage
        do { storage = try makeStorage() } catch {
            result.failure = "cannot open storage: \(error)"
            return result
        }
        let time = VirtualTime(start: Self.startTime)
        let sender = RecordingSender()
        var logger = Logger(label: "rulebot.test")
        logger.logLevel = .critical
        let bots = BotSet([bot])
        let performer = MockPerformer(mocks: spec.calls.merging(test.calls) { _, own in own })
        let working = WorkingSender(
            messages: sender,
            runner: WorkRunner(
                bots: bots, performer: performer, registry: registry, environment: { spec.environment[$0] }))
        var host = BotHost(
            bots: bots, storage: storage, sender: working, time: time, observer: observer, logger: logger)
        var events = 0
        var users: [String: SimulatedUser] = [:]
        var lastEntry: InboxEntry?
        var replies: [OutboundMessage] = []
        var lastSent: OutboundMessage?
        /// The titles of the buttons and rows the bot sent, by id: a tap carries its title.
        var choices: [String: String] = [:]

        func isReceipt(_ message: OutboundMessage) -> Bool {
            if case .markRead = message.body { return true }
            return false
        }
        func collect() {
            let sent = sender.drain().filter { !isReceipt($0) }
            lastSent = sent.last ?? lastSent
            for message in sent { choices.merge(message.body.choiceTitles) { _, new in new } }
            replies += sent
        }
        func record(_ outcome: BotHost.Outcome, _ label: String) {
            guard trace else { return }
            if case .processed(let evaluation) = outcome {
                // What the rules committed to send, with what a user taps or opens.
                let sent = evaluation.commit.outbox.filter { !isReceipt($0) }.map {
                    "  → "
                        + $0.detailedText.split(separator: "\n", omittingEmptySubsequences: false).joined(
                            separator: "\n    ")
                }
                result.traces.append(([label, evaluation.trace.rendered] + sent).joined(separator: "\n"))
            }
        }

        for step in test.steps {
            let phone = step.user ?? spec.user
            let at = "\(step.location)"
            switch step.kind {
            case .send(let message):
                time.advance(by: 1)
                var user = users[phone] ?? SimulatedUser(phone: phone, name: step.user == nil ? spec.name : nil)
                var event = user.event(for: message, at: time.now())
                if case .message(var tapped) = event.kind, let id = tapped.buttonID, let title = choices[id] {
                    tapped.buttonTitle = title
                    event.kind = .message(tapped)
                }
                let entry = InboxEntry(bot: bot.name, event: event)
                users[phone] = user
                lastEntry = entry
                await deliver(entry, storage: storage, host: host, time: time) {
                    record($0, "send \(message.text ?? message.button ?? message.type)")
                }
                collect()
            case .event(let name, let data):
                time.advance(by: 1)
                events += 1
                let event = InboundEvent(
                    id: "event:test-\(events)", userID: phone,
                    kind: .business(BusinessEvent(name: name, data: data, id: "test-\(events)")))
                await deliver(InboxEntry(bot: bot.name, event: event), storage: storage, host: host, time: time) {
                    record($0, "event \(name)")
                }
                collect()
            case .called(let name, let body):
                var made = performer.takeMade()
                guard let index = made.firstIndex(where: { $0.name == name }) else {
                    let names = made.map { "'\($0.name)'" }.joined(separator: ", ")
                    result.failure =
                        "\(at): expected a call '\(name)', but the bot made \(made.isEmpty ? "none" : names)"
                    return result
                }
                let call = made.remove(at: index)
                let sent = call.request.body.flatMap { try? JSONParser.parse($0) } ?? .null
                if let missing = Self.missingFields(body, in: sent) {
                    result.failure =
                        "\(at): the call '\(name)' was made with a body without \(missing):\n" + indent(sent.jsonText)
                    return result
                }
            case .status(let name, let error):
                guard let message = lastSent else {
                    result.failure = "\(at): 'status' needs a message the bot sent earlier"
                    return result
                }
                time.advance(by: 1)
                let status = DeliveryStatus(
                    messageID: "wamid.test.\(message.id)", status: name, timestamp: time.now(),
                    errorCodes: error.map { [$0] } ?? [], errorTitle: error.map { "error \($0)" },
                    callback: SendCallback(message: message).text)
                let entry = InboxEntry(
                    bot: bot.name,
                    event: InboundEvent(id: "status:\(message.id):\(name)", userID: message.to, kind: .status(status)))
                await deliver(entry, storage: storage, host: host, time: time) { record($0, "status \(name)") }
                collect()
            case .resend:
                guard let entry = lastEntry else {
                    result.failure = "\(at): 'resend' needs an earlier 'send'"
                    return result
                }
                await deliver(entry, storage: storage, host: host, time: time) { record($0, "resend") }
                collect()
            case .advance(let seconds):
                // Timers fire and retries (of calls, of sends) go at their times on the way.
                let target = time.now() + seconds
                while true {
                    let timer = (try? await storage.nextTimerDue()) ?? nil
                    let send = await host.sendDue()
                    guard let due = [timer, send].compactMap({ $0 }).min(), due <= target else { break }
                    time.set(max(time.now(), due))
                    let fired = await host.fireDueTimers()
                    if fired == 0, send.map({ $0 > time.now() }) ?? true, timer.map({ $0 > time.now() }) ?? true {
                        break
                    }
                }
                time.set(target)
                await host.fireDueTimers()
                await host.sendDue()
                collect()
            case .reply(let expectation):
                guard !replies.isEmpty else {
                    result.failure = "\(at): expected a reply \(describe(expectation)), but the bot sent nothing"
                    return result
                }
                let reply = replies.removeFirst().displayText
                if let problem = check(reply, expectation) {
                    result.failure = "\(at): \(problem)\n" + indent(reply)
                    return result
                }
            case .noReply:
                if let extra = replies.first {
                    result.failure = "\(at): expected no reply, but the bot sent:\n" + indent(extra.displayText)
                    return result
                }
            case .skipReplies:
                replies.removeAll()
            case .state(let expected):
                let state = await userContext(phone, storage: storage, time: time).stateName
                if state != expected {
                    result.failure = "\(at): expected state '\(expected)', the user is in '\(state)'"
                    return result
                }
            case .expect(let expression):
                if !(await userContext(phone, storage: storage, time: time).evaluate(expression).isTruthy) {
                    result.failure = "\(at): expected '\(expression.source)' to be true"
                    return result
                }
            case .restart:
                host = BotHost(
                    bots: bots, storage: storage, sender: working, time: time, observer: observer, logger: logger)
                await host.drainInbox()
                await host.dispatcher.flushPending()
                await host.fireDueTimers()
                collect()
            }
            if let call = performer.takeUnmocked().first {
                result.failure =
                    "\(at): the bot called \(call), but the test gives no mock for it; answer it under calls:, "
                    + "such as { status: 200, json: { … } }, { fail: connection refused } or { timeout: true }"
                return result
            }
        }
        return result
    }

    /// The first field of `expected` that `actual` lacks or holds differently, as a path; nil
    /// when `actual` holds all of `expected` (numbers compare by value, whatever their form).
    static func missingFields(_ expected: Value, in actual: Value, path: String = "") -> String? {
        if case .object(let fields) = expected {
            for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
                let inner = path.isEmpty ? key : "\(path).\(key)"
                if let missing = missingFields(value, in: actual[key], path: inner) { return missing }
            }
            return nil
        }
        if expected == .null { return nil }
        let same =
            expected == actual || (expected.number != nil && expected.number == actual.number)
            || (expected.string != nil && expected.string == actual.string)
        return same ? nil : "\(path.isEmpty ? "the value" : path) = \(expected.jsonText)"
    }

    private func deliver(
        _ entry: InboxEntry, storage: any BotStorage, host: BotHost, time: VirtualTime, trace: (BotHost.Outcome) -> Void
    ) async {
        let accepted = (try? await storage.accept([entry], rememberUntil: time.now() + InboxEntry.dedupeWindow)) ?? []
        for entry in accepted {
            trace(await host.handle(entry, traceAll: true, fromInbox: true))
        }
    }

    /// The user's data as expressions see it, for `state:` and `expect:` steps.
    private func userContext(_ phone: String, storage: any BotStorage, time: VirtualTime) async -> ActionContext {
        let snapshot =
            (try? await storage.load(bot: bot.name, userID: phone, now: time.now())) ?? UserSnapshot(userID: phone)
        return ActionContext(bot: bot, snapshot: snapshot, event: probe(phone), now: time.now(), stats: { .null })
    }

    private func probe(_ phone: String) -> InboundEvent {
        InboundEvent(
            id: "probe", userID: phone, kind: .status(DeliveryStatus(messageID: "", status: "probe", timestamp: 0)))
    }

    private func describe(_ expectation: ConversationSpec.ReplyExpectation) -> String {
        switch expectation {
        case .exact(let text): "\"\(text)\""
        case .contains(let parts): "containing " + parts.map { "\"\($0)\"" }.joined(separator: " and ")
        case .matches(let pattern): "matching /\(pattern)/"
        }
    }

    private func check(_ reply: String, _ expectation: ConversationSpec.ReplyExpectation) -> String? {
        switch expectation {
        case .exact(let text):
            return reply.trimmingTrailingNewlines == text.trimmingTrailingNewlines
                ? nil : "expected the reply \"\(text)\", got:"
        case .contains(let parts):
            let missing = parts.filter { !reply.contains($0) }
            return missing.isEmpty
                ? nil : "expected the reply to contain \(missing.map { "\"\($0)\"" }.joined(separator: ", ")), got:"
        case .matches(let pattern):
            let regex: LinearRegex
            do { regex = try LinearRegex(pattern) } catch { return "invalid pattern /\(pattern)/: \(error.reason)" }
            return regex.matches(reply)
                ? nil : "expected the reply to match /\(pattern)/, got:"
        }
    }

    private func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "      | \($0)" }.joined(separator: "\n")
    }
}

extension String {
    fileprivate var trimmingTrailingNewlines: String {
        var copy = self
        while copy.last == "\n" || copy.last == " " { copy.removeLast() }
        return copy
    }
}
