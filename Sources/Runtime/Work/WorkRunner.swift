import Foundation
import RuleEngine
import Synchronization

/// Carries out handed-off work and turns each outcome into the event the rules handle.
///
/// A call is tried up to its API's `attempts` on network errors, 429 and 5xx (the dispatcher
/// spaces the tries with its backoff, honouring `Retry-After`); a 4xx, a timeout, a refused
/// address or an answer over 1 MB fails it for good. Every try of one call carries the same
/// `Idempotency-Key`, its outbox id, across restarts too.
public final class WorkRunner: Sendable {
    let bots: BotSet
    let performer: any HTTPPerformer
    let tasks: [String: WorkTask]
    let environment: @Sendable (String) -> String?
    let observe: @Sendable (_ api: String, _ outcome: String, _ seconds: Double) -> Void
    private let attempts = Mutex<[String: Int]>([:])

    /// The largest answer read; a larger one fails the call.
    public static let maximumResponseBytes = 1 << 20

    /// A runner for `bots`' calls through `performer` and the tasks registered in `registry`.
    public init(
        bots: BotSet, performer: any HTTPPerformer, registry: ActionRegistry = .builtIn,
        environment: @escaping @Sendable (String) -> String? = { ProcessInfo.processInfo.environment[$0] },
        observe: @escaping @Sendable (_ api: String, _ outcome: String, _ seconds: Double) -> Void = { _, _, _ in }
    ) {
        self.bots = bots
        self.performer = performer
        self.tasks = registry.tasks
        self.environment = environment
        self.observe = observe
    }

    /// What to do with the outbox row, and the result event when the work is over.
    public struct Step: Sendable {
        /// `.sent` when the work is over (its result is in `result`), `.retry` to try again.
        public var outcome: SendOutcome
        /// The event for the user's rules.
        public var result: WorkResult?
    }

    /// One attempt of `work`, handed off by `message`.
    public func perform(_ work: PendingWork, of message: OutboundMessage) async -> Step {
        let attempt = attempts.withLock { counts in
            counts[message.id, default: 0] += 1
            return counts[message.id, default: 0]
        }
        let step: Step
        switch work.kind {
        case .task(let name): step = await runTask(name, work, message, attempt: attempt)
        case .http(let request): step = await call(request, work, message, attempt: attempt)
        }
        if step.result != nil { _ = attempts.withLock { $0.removeValue(forKey: message.id) } }
        return step
    }

    private func runTask(_ name: String, _ work: PendingWork, _ message: OutboundMessage, attempt: Int) async -> Step {
        func over(_ result: WorkResult) -> Step { Step(outcome: .sent, result: result) }
        guard let task = tasks[name] else {
            return over(
                WorkResult(name: work.name, workID: message.id, ok: false, reason: "no task '\(name)' is registered"))
        }
        do {
            let value = try await task(work.input)
            return over(WorkResult(name: work.name, workID: message.id, ok: true, json: value, attempts: attempt))
        } catch {
            return over(
                WorkResult(
                    name: work.name, workID: message.id, ok: false, reason: "\(error)", attempts: attempt))
        }
    }

    private func call(_ call: HTTPCall, _ work: PendingWork, _ message: OutboundMessage, attempt: Int) async -> Step {
        func failed(_ reason: String, status: Int? = nil, outcome: String) -> Step {
            observe(call.api, outcome, 0)
            return Step(
                outcome: .sent,
                result: WorkResult(
                    name: work.name, workID: message.id, ok: false, status: status, reason: reason, attempts: attempt))
        }
        guard let api = bots[message.bot]?.graph.apis[call.api] else {
            return failed("the bot declares no API '\(call.api)'", outcome: "refused")
        }
        let request: HTTPRequestSpec
        switch CallRequestBuilder.request(call, api: api, idempotencyKey: message.id, environment: environment) {
        case .success(let built): request = built
        case .failure(let problem): return failed(problem.reason, outcome: "refused")
        }
        let started = Date()
        let answer = await performer.perform(request, name: work.name)
        let seconds = Date().timeIntervalSince(started)
        let last = attempt >= api.attempts
        switch answer {
        case .response(let status, let headers, let body):
            if (200..<400).contains(status) {
                observe(call.api, "ok", seconds)
                return Step(
                    outcome: .sent,
                    result: WorkResult(
                        name: work.name, workID: message.id, ok: true, status: status, json: Self.json(body),
                        headers: headers, attempts: attempt))
            }
            let reason = "HTTP \(status) from \(api.name)"
            if status == 429 || status >= 500, !last {
                observe(call.api, "retry", seconds)
                let after = headers["retry-after"].flatMap(Double.init) ?? 0
                return Step(outcome: .retry(after: after, reason: reason), result: nil)
            }
            observe(call.api, "failed", seconds)
            return Step(
                outcome: .sent,
                result: WorkResult(
                    name: work.name, workID: message.id, ok: false, status: status, json: Self.json(body),
                    headers: headers, reason: last && status >= 429 ? "\(reason) after \(attempt) attempts" : reason,
                    attempts: attempt))
        case .networkError(let reason):
            if !last {
                observe(call.api, "retry", seconds)
                return Step(outcome: .retry(after: 0, reason: reason), result: nil)
            }
            return failed("\(reason) after \(attempt) attempts", outcome: "failed")
        case .timeout:
            return failed("no answer from \(api.name) within \(Int(api.timeout)) s", outcome: "timeout")
        case .refused(let reason):
            return failed(reason, outcome: "refused")
        }
    }

    /// The body as JSON, or as text when it is not JSON.
    static func json(_ body: [UInt8]) -> Value {
        if body.isEmpty { return .null }
        if let value = try? JSONParser.parse(body) { return value }
        return .string(String(decoding: body, as: UTF8.self))
    }
}
