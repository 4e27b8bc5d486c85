public import RuleEngine
public import Runtime
import Synchronization

/// What conversation tests exercised of a bot: the rules that fired, the states users entered,
/// the timers that fired and the named texts that were rendered (the texts of the fired rules'
/// replies). Fed by the host as it evaluates; read once the tests are over.
public final class CoverageRecorder: HostObserver {
    private struct Seen {
        var rules: Set<String> = []
        var states: Set<String> = []
        var timers: Set<String> = []
    }

    private let seen = Mutex(Seen())

    /// An empty record.
    public init() {}

    /// Notes what one evaluation covered.
    public func processed(bot: String, event: InboundEvent, evaluation: Evaluation, seconds: Double) {
        seen.withLock { seen in
            seen.rules.formUnion(evaluation.firedRules)
            if case .timer(let firing) = event.kind, !evaluation.firedRules.isEmpty { seen.timers.insert(firing.name) }
            if let machine = evaluation.commit.writes[.machine], let state = machine?.value["name"].string {
                seen.states.insert(state)
            }
        }
    }

    /// The coverage of `graph` by everything recorded so far.
    public func report(for graph: RuleGraph) -> CoverageReport {
        let seen = seen.withLock { $0 }
        let fired = graph.rules.filter { seen.rules.contains($0.id) }
        var rendered = Set<String>()
        for rule in fired {
            for action in rule.actions { rendered.formUnion(Self.templateNames(in: action.arguments)) }
        }
        // Every user starts in the initial state.
        let entered = seen.states.union([graph.initialState])
        return CoverageReport(
            file: graph.file,
            rules: .init(
                total: graph.rules.count,
                missed: graph.rules.filter { !seen.rules.contains($0.id) }.map { ("rule '\($0.id)'", $0.location) }),
            states: .init(
                total: graph.states.count,
                missed: graph.states.filter { !entered.contains($0.name) }.map { ("state '\($0.name)'", $0.location) }),
            timers: .init(
                total: graph.timers.count,
                missed: graph.timers.filter { !seen.timers.contains($0.name) }.map {
                    ("timer '\($0.name)'", $0.location)
                }),
            texts: .init(
                total: graph.templates.count,
                missed: graph.templates.keys.sorted().filter { !rendered.contains($0) }.map {
                    (
                        "text '\($0)'",
                        graph.templateLocations[$0] ?? SourceLocation(file: graph.file, line: 0, column: 0)
                    )
                }))
    }

    /// The names a reply's arguments refer to with `named_text:` (or the old `template:`).
    private static func templateNames(in arguments: Value) -> [String] {
        guard case .object(let fields) = arguments else { return [] }
        return ["named_text", "template"].compactMap { fields[$0]?.string }
    }
}

/// How much of one bot the tests covered.
public struct CoverageReport: Sendable {
    /// One kind of part: how many there are, and which were never covered, with where they are.
    public struct Part: Sendable {
        /// How many the bot has.
        public var total: Int
        /// The ones never covered.
        public var missed: [(name: String, location: SourceLocation)]

        /// How many were covered.
        public var covered: Int { total - missed.count }
    }

    /// The bot file.
    public var file: String
    /// Rules that fired.
    public var rules: Part
    /// States users entered.
    public var states: Part
    /// Timers that fired.
    public var timers: Part
    /// Named texts that were rendered.
    public var texts: Part

    /// Whether everything was covered.
    public var isComplete: Bool { [rules, states, timers, texts].allSatisfy(\.missed.isEmpty) }

    /// The report as `rulebot test --coverage` prints it.
    public var rendered: String {
        var lines = [
            "coverage of \(file): rules \(rules.covered)/\(rules.total), states \(states.covered)/\(states.total), "
                + "timers \(timers.covered)/\(timers.total), texts \(texts.covered)/\(texts.total)"
        ]
        for (name, location) in rules.missed + states.missed + timers.missed + texts.missed {
            lines.append("  never covered: \(name) at \(location)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
