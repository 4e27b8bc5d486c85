/// Draws a bot's state machine: states as nodes, transitions labelled by what triggers them,
/// and timers, as Mermaid (paste into any Mermaid viewer), Graphviz dot (`dot -Tsvg`) or SVG.
public enum GraphExporter {
    /// One arrow of the picture.
    struct Edge: Hashable {
        var from: String
        var to: String
        var label: String
    }

    /// The output formats.
    public enum Format: String, Sendable, CaseIterable {
        /// Mermaid `stateDiagram-v2`.
        case mermaid
        /// Graphviz dot.
        case dot
        /// SVG, drawn by RuleBot itself (the console shows it).
        case svg
    }

    /// The picture of `graph` in `format`.
    public static func export(_ graph: RuleGraph, as format: Format) -> String {
        switch format {
        case .mermaid: mermaid(graph)
        case .dot: dot(graph)
        case .svg: svg(graph)
        }
    }

    /// Arrows drawn at most: a rule without `in:` is an arrow from every state, so a large bot
    /// could ask for millions; past this the picture says how many it left out.
    static let maximumEdges = 2_000

    /// The distinct arrows, at most `maximumEdges`, and whether any were left out.
    static func edges(_ graph: RuleGraph) -> (edges: [Edge], truncated: Bool) {
        var edges: [Edge] = []
        var seen = Set<Edge>()
        func add(_ edge: Edge) -> Bool {
            guard seen.count < maximumEdges else { return false }
            if seen.insert(edge).inserted { edges.append(edge) }
            return true
        }
        // States where an earlier rule takes every message and stops: later message rules never
        // run there, so their arrows from those states are not drawn.
        var closed = Set<String>()
        for rule in graph.rules {
            var sources = rule.states.isEmpty ? graph.states.map(\.name) : rule.states
            if rule.trigger.isMessage { sources.removeAll(where: closed.contains) }
            if rule.trigger == .anyMessage, rule.condition == nil, !rule.continues { closed.formUnion(sources) }
            let label = rule.trigger.label + (rule.condition.map { " [\($0.source)]" } ?? "")
            let targets = rule.actions.flatMap(\.entersStates)
            let timers = rule.actions.flatMap(\.startsTimers)
            let suffix = timers.isEmpty ? "" : " / start " + timers.joined(separator: ", ")
            for source in sources {
                for target in targets.isEmpty ? (timers.isEmpty ? [] : [source]) : targets {
                    guard add(Edge(from: source, to: target, label: label + suffix)) else { return (edges, true) }
                }
            }
        }
        for state in graph.states where state.name != graph.initialState {
            if let ttl = state.timeToLive {
                let edge = Edge(
                    from: state.name, to: graph.initialState, label: "ttl \(DurationText.format(ttl)) expires")
                guard add(edge) else { return (edges, true) }
            }
        }
        return (edges, false)
    }

    private static func omission(_ truncated: Bool, comment: String) -> [String] {
        truncated ? ["    \(comment) more transitions not drawn: only the first \(maximumEdges) are"] : []
    }

    private static func mermaid(_ graph: RuleGraph) -> String {
        var lines = ["stateDiagram-v2", "    [*] --> \(graph.initialState)"]
        let (edges, truncated) = edges(graph)
        for edge in edges {
            lines.append("    \(edge.from) --> \(edge.to): \(escapeMermaid(edge.label))")
        }
        lines += omission(truncated, comment: "%%")
        for timer in graph.timers {
            lines.append(
                "    note right of \(graph.initialState): timer \(timer.name) fires after \(DurationText.format(timer.duration))"
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func dot(_ graph: RuleGraph) -> String {
        var lines = ["digraph \"\(graph.name)\" {", "    rankdir=LR;", "    node [shape=box, style=rounded];"]
        lines.append("    \"__start\" [shape=point];")
        lines.append("    \"__start\" -> \"\(graph.initialState)\";")
        for state in graph.states {
            let ttl = state.timeToLive.map { "\\nttl \(DurationText.format($0))" } ?? ""
            lines.append("    \"\(state.name)\" [label=\"\(state.name)\(ttl)\"];")
        }
        let (edges, truncated) = edges(graph)
        for edge in edges {
            lines.append("    \"\(edge.from)\" -> \"\(edge.to)\" [label=\"\(escapeDot(edge.label))\"];")
        }
        lines += omission(truncated, comment: "//")
        for timer in graph.timers {
            lines.append(
                "    \"timer \(timer.name)\" [shape=note, label=\"timer \(timer.name)\\n\(DurationText.format(timer.duration))\"];"
            )
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func escapeMermaid(_ text: String) -> String {
        text.replacingAll(":", with: "#58;").replacingAll("\"", with: "'")
    }

    private static func escapeDot(_ text: String) -> String {
        text.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"")
    }
}

extension String {
    /// Every occurrence of `target` replaced, without Foundation.
    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
