import Foundation
import RuleEngine
import Testing

/// Bot files found by fuzzing, and generated ones of the same kinds: each compiles to a located
/// diagnostic with bounded output, instead of crashing the compiler (and a reloading server)
/// or running away with its memory or time.
struct HostileBotFileTests {
    static let hostile = Golden.repositoryRoot().appendingPathComponent("Tests/Fixtures/hostile")

    func compile(_ source: String) -> (result: CompileResult, rendered: String) {
        let result = BotCompiler().compile(source: source, file: "bot.yaml")
        return (result, DiagnosticRenderer(source: source).render(result.diagnostics))
    }

    @Test(arguments: [
        ("check_crash_deep_parens.yaml", "invalid-expression"),
        ("check_billion_laughs.yaml", "yaml-too-large"),
        ("check_quadratic_output_undefined_tags.yaml", "undefined-variable"),
        ("check_control_chars_in_diagnostic.yaml", "unknown-key"),
    ])
    func reproducerGetsALocatedDiagnostic(file: String, id: String) throws {
        let source = try String(contentsOf: Self.hostile.appendingPathComponent(file), encoding: .utf8)
        let (result, rendered) = compile(source)
        #expect(result.graph == nil)
        #expect(result.diagnostics.contains { $0.id == id })
        #expect(result.diagnostics.count <= CompileLimits.diagnostics + 1)
        #expect(rendered.utf8.count < 100_000, "was 263 MB for 5,000 tags on one line")
    }

    @Test func controlCharactersNeverReachTheTerminal() throws {
        let source = try String(
            contentsOf: Self.hostile.appendingPathComponent("check_control_chars_in_diagnostic.yaml"), encoding: .utf8)
        let rendered = compile(source).rendered
        #expect(!rendered.contains("\u{1B}"))
        #expect(rendered.contains("unknown key 'cont␊inue'"))
        for line in rendered.split(separator: "\n") where line.hasPrefix("bot.yaml") {
            #expect(line.hasSuffix("]"), "one header line per diagnostic: \(line)")
        }
    }

    static func rule(if condition: String = "true", reply: String = "hi") -> String {
        """
        bot: x
        rules:
          - when: message
            if: "\(condition)"
            do:
              - reply: "\(reply)"

        """
    }

    static func deepIndentation() -> String {
        var text = "bot: x\nvars:\n"
        for level in 0..<300 { text += String(repeating: " ", count: level + 2) + "k\(level):\n" }
        return text + "rules: []\n"
    }

    static let generated: [(String, String)] = [
        (
            rule(if: String(repeating: "(", count: 9_900) + "1" + String(repeating: ")", count: 9_900)),
            "invalid-expression"
        ),
        (rule(if: String(repeating: "(", count: 100) + "1" + String(repeating: ")", count: 100)), "invalid-expression"),
        (rule(if: Array(repeating: "1", count: 87_000).joined(separator: "+") + " > 0"), "invalid-expression"),
        (rule(if: String(repeating: "not ", count: 500) + "true"), "invalid-expression"),
        (rule(if: String(repeating: "f(", count: 5_000) + String(repeating: ")", count: 5_000)), "invalid-expression"),
        (
            rule(reply: String(repeating: "{{#if true}}", count: 35_000) + String(repeating: "{{/if}}", count: 35_000)),
            "invalid-template"
        ),
        (
            rule(
                reply: String(repeating: "{{#each [1]}}", count: 29_000) + String(repeating: "{{/each}}", count: 29_000)
            ),
            "invalid-template"
        ),
        ("bot: x\nvars:\n  a: " + String(repeating: "[", count: 50_000) + "\nrules: []\n", "nesting-too-deep"),
        ("bot: x\nvars:\n  a: " + String(repeating: "{a: ", count: 20_000) + "\nrules: []\n", "nesting-too-deep"),
        (
            "bot: x\nvars:\n  a:\n" + String(repeating: "    - ", count: 1) + String(repeating: "- ", count: 20_000)
                + "x\n", "nesting-too-deep"
        ),
        (deepIndentation(), "nesting-too-deep"),
        ("bot: x\n" + String(repeating: "#", count: CompileLimits.fileBytes) + "\n", "file-too-large"),
        ("bot: x\nrules:\n  - when: message\n    do: [\n", "yaml-syntax"),
    ]

    @Test(arguments: generated)
    func generatedInputGetsALocatedDiagnostic(source: String, id: String) {
        let (result, rendered) = compile(source)
        #expect(result.graph == nil)
        let diagnostic = result.diagnostics.first { $0.id == id }
        #expect(diagnostic != nil, "\(result.diagnostics.prefix(3).map(\.message))")
        #expect(rendered.utf8.count < 20_000)
    }

    @Test func anErrorAtTheEndOfTheFilePointsAtItsLastLine() throws {
        let source = "bot: x\nrules:\n  - when: message\n    do: [\n"
        let diagnostic = try #require(compile(source).result.diagnostics.first)
        #expect(diagnostic.location.line == 4)
    }

    /// Shapes that took seconds (quadratic) now compile; their size, not their time, is asserted
    /// here, and `Benchmarks compile` reports the time next to the shipped bots'.
    @Test func largeButHonestFilesCompile() {
        let tags =
            "bot: x\nvars:\n  x: hi\nrules:\n  - when: message\n    do:\n      - reply: \""
            + String(repeating: "{{ vars.x }}", count: 10_000) + "\"\n"
        #expect(compile(tags).result.diagnostics.allSatisfy { $0.severity != .error })
        let states =
            "bot: x\nstates:\n" + (0..<10_000).map { "  s\($0): {}\n" }.joined() + "rules:\n"
            + (0..<10_000).map { "  - when: /c\($0)\n    do:\n      - goto: s\($0)\n" }.joined()
        let result = compile(states).result
        #expect(result.graph?.states.count == 10_000)
    }

    @Test func aDurationLongerThanAHundredYearsIsRefused() {
        let source = "bot: x\ntimers:\n  t: 99999999999999999999d\nrules: []\n"
        #expect(compile(source).result.diagnostics.contains { $0.message.contains("100 years") })
    }
}
