import Foundation
import RuleEngine
import Yams

/// Compile time of the shipped bots and of a generated 10,000-rule bot, against parsing the same YAML with Yams alone.
enum CompileBenchmark {
    static func run() throws {
        say("== compile (baseline: Yams.compose of the same text)")
        for name in ["json_cache.yaml", "expiry.yaml"] {
            let source = try String(
                contentsOf: Measure.repositoryRoot().appendingPathComponent("bots/\(name)"), encoding: .utf8)
            try report(name, source: source, runs: 200)
        }
        try report("generated 10,000 rules", source: generated(rules: 10_000), runs: 5)
        // Shapes that were quadratic (issue #18): seconds before, now in line with their size.
        try report("10,000 {{ vars.x }} on one line", source: tagsOnOneLine(10_000), runs: 5)
        try report("10,000 states, each reached by a goto", source: statesWithGotos(10_000), runs: 5)
        try report("10,000 rules on one command, one state each", source: oneCommandManyStates(10_000), runs: 5)
    }

    static func tagsOnOneLine(_ count: Int) -> String {
        "bot: tags\nvars:\n  x: hi\nrules:\n  - when: message\n    do:\n      - reply: \""
            + String(repeating: "{{ vars.x }}", count: count) + "\"\n"
    }

    static func statesWithGotos(_ count: Int) -> String {
        "bot: states\nstates:\n" + (0..<count).map { "  s\($0): {}\n" }.joined() + "rules:\n"
            + (0..<count).map { "  - when: /c\($0)\n    do:\n      - goto: s\($0)\n" }.joined()
    }

    static func oneCommandManyStates(_ count: Int) -> String {
        "bot: shadow\nstates:\n" + (0..<count).map { "  s\($0): {}\n" }.joined() + "rules:\n"
            + (0..<count).map { "  - when: /c\n    in: s\($0)\n    do:\n      - goto: s\(($0 + 1) % count)\n" }.joined()
    }

    static func report(_ label: String, source: String, runs: Int) throws {
        var diagnostics = 0
        let compile = try Measure.median(runs: runs) {
            let result = BotCompiler().compile(source: source, file: "bench.yaml")
            diagnostics = result.diagnostics.count
            guard result.graph != nil else { throw BenchmarkError("\(label) did not compile") }
        }
        let parse = try Measure.median(runs: runs) { _ = try Yams.compose(yaml: source) }
        say(
            "\(label): compile \(Measure.format(compile * 1000)) ms, YAML parse \(Measure.format(parse * 1000)) ms, "
                + "ratio \(Measure.format(compile / parse))x, \(diagnostics) diagnostics")
    }

    /// A bot with `rules` rules of every trigger kind, conditions, templates and state guards.
    static func generated(rules: Int) -> String {
        var yaml = "bot: generated\nstates:\n"
        for s in 0..<10 { yaml += "  s\(s):\(s == 0 ? " { initial: true }" : " { ttl: 1h }")\n" }
        yaml +=
            "timers:\n  t0: 30s\ntemplates:\n  summary: |\n    {{ count(table.history) }} items\n    {{#each last(table.history, 5) as h}}\n    {{ loop.index }}. {{ h }}\n    {{/each}}\nrules:\n"
        for i in 0..<rules {
            let state = "s\(i % 10)"
            switch i % 5 {
            case 0:
                yaml +=
                    "  - id: cmd-\(i)\n    when: /CMD\(i)\n    in: \(state)\n    do:\n      - goto: s\((i + 1) % 10)\n      - reply: \"command \(i) for {{ contact.name ?? 'you' }}\"\n"
            case 1:
                yaml +=
                    "  - id: text-\(i)\n    when: { text_contains: \"word\(i)\" }\n    if: user.count > \(i % 7) and message.text contains \"x\"\n    do:\n      - increment: user.count\n      - reply: { template: summary }\n"
            case 2:
                yaml +=
                    "  - id: button-\(i)\n    when: { button: b\(i) }\n    do:\n      - append: { key: table.history, value: \"=message.button\", max: 50 }\n      - restart_timer: t0\n"
            case 3:
                yaml +=
                    "  - id: type-\(i)\n    when: { type: [image, video] }\n    in: [\(state), s\((i + 3) % 10)]\n    if: count(table.history) >= \(i % 11)\n    do:\n      - merge: { key: user.profile, value: { last: \"=now\", n: \(i) } }\n    continue: true\n"
            default:
                yaml +=
                    "  - id: timer-\(i)\n    when: { timer: t0 }\n    in: \(state)\n    do:\n      - reply:\n          text: \"time {{ format_time(now, 'HH:mm') }}\"\n          buttons:\n            - { id: b\(i), title: \"Again \(i % 100)\" }\n"
            }
        }
        return yaml
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
