/// Draws a bot's state machine: states as nodes, transitions labelled by what triggers them,
/// and timers, as Mermaid (paste into any Mermaid viewer) or Graphviz dot (`dot -Tsvg`).
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
    }

    /// The picture of `graph` in `format`.
    public static func export(_ graph: RuleGraph, as format: Format) -> String {
        switch format {
        case .mermaid: mermaid(graph)
        case .dot: dot(graph)
        }
    }

    static func edges(_ graph: RuleGraph) -> [Edge] {
        var edges: [Edge] = []
        for rule in graph.rules {
            let sources = rule.states.isEmpty ? graph.states.map(\.name) : rule.states
            let label = rule.trigger.label + (rule.condition.map { " [\($0.source)]" } ?? "")
            let targets = rule.actions.compactMap { $0.name == "goto" ? $0.arguments["state"].string : nil }
            let timers = rule.actions.compactMap { action -> String? in
                guard action.name == "start_timer" || action.name == "restart_timer" else { return nil }
                return action.arguments["timer"].string
            }
            let suffix = timers.isEmpty ? "" : " / start " + timers.joined(separator: ", ")
            for source in sources {
                for target in targets.isEmpty ? (timers.isEmpty ? [] : [source]) : targets {
                    edges.append(Edge(from: source, to: target, label: label + suffix))
                }
            }
        }
        for state in graph.states where state.name != graph.initialState {
            if let ttl = state.timeToLive {
                edges.append(
                    Edge(from: state.name, to: graph.initialState, label: "ttl \(DurationText.format(ttl)) expires"))
            }
        }
        var seen = Set<Edge>()
        return edges.filter { seen.insert($0).inserted }
    }

    private static func mermaid(_ graph: RuleGraph) -> String {
        var lines = ["stateDiagram-v2", "    [*] --> \(graph.initialState)"]
        for edge in edges(graph) {
            lines.append("    \(edge.from) --> \(edge.to): \(escapeMermaid(edge.label))")
        }
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
        for edge in edges(graph) {
            lines.append("    \"\(edge.from)\" -> \"\(edge.to)\" [label=\"\(escapeDot(edge.label))\"];")
        }
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
