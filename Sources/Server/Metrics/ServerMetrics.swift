import CoreMetrics
import Foundation
import Prometheus
import RuleEngine
import Runtime
import Synchronization

/// The server's Prometheus metrics, recorded through swift-metrics into this app's own registry.
final class ServerMetrics: HostObserver {
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let counters = Mutex<[CounterKey: CoreMetrics.Counter]>([:])

    /// A counter's label and dimensions, hashed as they are instead of joined into a string.
    private struct CounterKey: Hashable {
        let label: String
        let dimensions: [String]
    }
    let webhookLatency: CoreMetrics.Timer
    let timersPending: CoreMetrics.Gauge
    /// Messages this instance has queued or is sending.
    let outboxPending: CoreMetrics.Gauge
    /// Commit → accepted by the Graph API.
    private let sendDelay: CoreMetrics.Timer
    /// Dead letters kept in storage: read at start, then counted up as items are moved aside.
    private let deadLetters: CoreMetrics.Gauge
    private let deadLetterCount = Mutex(0)
    /// How long calls take, by API.
    private let callDurations = Mutex<[String: CoreMetrics.Timer]>([:])
    private let callFactory: PrometheusMetricsFactory

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1),
        ]
        self.factory = factory
        webhookLatency = CoreMetrics.Timer(label: "rulebot_webhook_duration_seconds", factory: factory)
        timersPending = CoreMetrics.Gauge(label: "rulebot_timers_pending", factory: factory)
        outboxPending = CoreMetrics.Gauge(label: "rulebot_outbox_pending", factory: factory)
        // A reply waits on the send rate and, in an outage, on retries: seconds to hours.
        var delays = factory
        delays.defaultDurationHistogramBuckets = [
            .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(2), .seconds(5), .seconds(15), .seconds(60), .seconds(300), .seconds(3600),
        ]
        sendDelay = CoreMetrics.Timer(label: "rulebot_send_delay_seconds", factory: delays)
        var calls = factory
        calls.defaultDurationHistogramBuckets = [
            .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30),
        ]
        callFactory = calls
        deadLetters = CoreMetrics.Gauge(label: "rulebot_dead_letters", factory: factory)
    }

    /// Adds `by` to the counter `label` with `dimensions`.
    func count(_ label: String, _ dimensions: [(String, String)] = [], by amount: Int = 1) {
        let key = CounterKey(label: label, dimensions: dimensions.flatMap { [$0.0, $0.1] })
        let counter = counters.withLock { counters in
            if let existing = counters[key] { return existing }
            let created = CoreMetrics.Counter(label: label, dimensions: dimensions, factory: factory)
            counters[key] = created
            return created
        }
        counter.increment(by: amount)
    }

    /// The Prometheus text exposition.
    func render() -> String { registry.emitToString() }

    func processed(bot: String, event: InboundEvent, evaluation: Evaluation, seconds: Double) {
        let kind: String
        switch event.kind {
        case .message: kind = "message"
        case .timer: kind = "timer"
        case .status: kind = "status"
        case .sendFailed: kind = "send_failed"
        case .workResult: kind = "response"
        case .business: kind = "event"
        }
        count("rulebot_events_total", [("bot", bot), ("kind", kind)])
        if kind == "timer" { count("rulebot_timers_fired_total", [("bot", bot)]) }
        for rule in evaluation.firedRules { count("rulebot_rule_firings_total", [("bot", bot), ("rule", rule)]) }
        for rule in evaluation.closedWindowRules {
            count("rulebot_window_closed_total", [("bot", bot), ("rule", rule)])
        }
    }

    func failed(bot: String, event: InboundEvent, error: any Error) {
        count("rulebot_event_failures_total", [("bot", bot)])
    }

    func quarantined(_ letter: DeadLetter) {
        count("rulebot_dead_letters_total", [("kind", letter.kind.rawValue)])
        deadLetters.record(
            deadLetterCount.withLock { count in
                count += 1
                return count
            })
    }

    /// Sets the kept count read from storage at start.
    func startDeadLetters(at kept: Int) {
        deadLetterCount.withLock { $0 = kept }
        deadLetters.record(kept)
    }

    func delivered(_ message: OutboundMessage, after seconds: Double) {
        if case .work = message.body { return }
        sendDelay.recordSeconds(max(0, seconds))
    }

    /// One attempt of a call to `api` ended with `outcome` (ok, retry, failed, timeout, refused).
    func called(api: String, outcome: String, seconds: Double) {
        count("rulebot_calls_total", [("api", api), ("outcome", outcome)])
        guard outcome != "refused" else { return }
        let timer = callDurations.withLock { timers in
            if let timer = timers[api] { return timer }
            let timer = CoreMetrics.Timer(
                label: "rulebot_call_duration_seconds", dimensions: [("api", api)], factory: callFactory)
            timers[api] = timer
            return timer
        }
        timer.recordSeconds(max(0, seconds))
    }

    func sent(_ message: OutboundMessage, outcome: SendOutcome) {
        if case .work = message.body { return }
        switch outcome {
        case .sent:
            if case .markRead = message.body { return }
            count("rulebot_replies_sent_total", [("bot", message.bot)])
        case .retry(_, let reason), .failed(let reason), .pairRateLimited(let reason):
            let code = reason.split(separator: ":").first.map(String.init) ?? "unknown"
            count("rulebot_send_errors_total", [("code", code.allSatisfy(\.isNumber) ? code : "other")])
        }
    }
}
