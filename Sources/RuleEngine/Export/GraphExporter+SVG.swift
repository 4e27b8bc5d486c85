/// The state machine drawn as SVG, with no tool and no script: the states on a circle, an
/// arrow for each pair of states a rule moves users between (its triggers as the label), and
/// a loop note under a state for rules that keep users where they are.
extension GraphExporter {
    static func svg(_ graph: RuleGraph) -> String {
        let states = graph.states.map(\.name)
        let count = max(states.count, 1)
        let radius = count == 1 ? 0.0 : 70.0 + 30.0 * Double(count)
        let size = 2 * radius + 320
        let center = size / 2
        var position: [String: (x: Double, y: Double)] = [:]
        for (index, name) in states.enumerated() {
            let angle = 2 * Double.pi * Double(index) / Double(count) - Double.pi / 2
            position[name] = (center + radius * cosine(angle), center + radius * sine(angle))
        }
        var grouped: [String: [String]] = [:]
        var order: [(String, String)] = []
        for edge in edges(graph).edges {
            let key = edge.from + "\u{1F}" + edge.to
            if grouped[key] == nil { order.append((edge.from, edge.to)) }
            grouped[key, default: []].append(edge.label)
        }
        var out = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(size)) \(Int(size))\" role=\"img\" "
                + "aria-label=\"states of \(xml(graph.name)) and the rules that move users between them\" "
                + "font-family=\"sans-serif\" font-size=\"12\">",
            "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" "
                + "orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#0b3d2e\"/></marker></defs>",
        ]
        var loops: [String: [String]] = [:]
        for (from, to) in order {
            let labels = grouped[from + "\u{1F}" + to] ?? []
            if from == to {
                loops[from, default: []] += labels
                continue
            }
            guard let a = position[from], let b = position[to] else { continue }
            let (dx, dy) = (b.x - a.x, b.y - a.y)
            let length = max((dx * dx + dy * dy).squareRoot(), 1)
            // Stop short of the boxes, and bend a little so arrows both ways do not overlap.
            let (ux, uy) = (dx / length, dy / length)
            let start = (a.x + ux * 50, a.y + uy * 18)
            let end = (b.x - ux * 50, b.y - uy * 18)
            let bend = (x: (start.0 + end.0) / 2 - uy * 24, y: (start.1 + end.1) / 2 + ux * 24)
            out.append(
                "<path d=\"M \(f(start.0)) \(f(start.1)) Q \(f(bend.x)) \(f(bend.y)) \(f(end.0)) \(f(end.1))\" "
                    + "fill=\"none\" stroke=\"#0b3d2e\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/>")
            out.append(
                "<text x=\"\(f(bend.x))\" y=\"\(f(bend.y))\" text-anchor=\"middle\" fill=\"#111\" "
                    + "stroke=\"#fff\" stroke-width=\"4\" paint-order=\"stroke\">"
                    + xml(shorten(labels.joined(separator: " | "))) + "</text>")
        }
        for name in states {
            guard let p = position[name] else { continue }
            let initial = name == graph.initialState
            out.append(
                "<rect x=\"\(f(p.x - 50))\" y=\"\(f(p.y - 18))\" width=\"100\" height=\"36\" rx=\"10\" "
                    + "fill=\"\(initial ? "#e3f1ea" : "#fff")\" stroke=\"#0b3d2e\" stroke-width=\"\(initial ? 3 : 1.5)\"/>"
            )
            out.append(
                "<text x=\"\(f(p.x))\" y=\"\(f(p.y + 4))\" text-anchor=\"middle\" font-weight=\"bold\">"
                    + xml(shorten(name, 14)) + "</text>")
            if let labels = loops[name] {
                out.append(
                    "<text x=\"\(f(p.x))\" y=\"\(f(p.y + 32))\" text-anchor=\"middle\" fill=\"#444\">↻ "
                        + xml(shorten(labels.joined(separator: " | "))) + "</text>")
            }
        }
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    private static func f(_ x: Double) -> String { String(Int(x.rounded())) }

    private static func shorten(_ text: String, _ limit: Int = 32) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    private static func xml(_ text: String) -> String {
        text.replacingAll("&", with: "&amp;").replacingAll("<", with: "&lt;").replacingAll(">", with: "&gt;")
            .replacingAll("\"", with: "&quot;")
    }

    /// Sine and cosine by their series, so the pure compiler needs no Foundation.
    static func sine(_ x: Double) -> Double {
        var angle = x.truncatingRemainder(dividingBy: 2 * Double.pi)
        if angle > Double.pi { angle -= 2 * Double.pi } else if angle < -Double.pi { angle += 2 * Double.pi }
        var term = angle
        var sum = angle
        for n in 1...12 {
            term *= -angle * angle / Double((2 * n) * (2 * n + 1))
            sum += term
        }
        return sum
    }

    static func cosine(_ x: Double) -> Double { sine(x + Double.pi / 2) }
}
