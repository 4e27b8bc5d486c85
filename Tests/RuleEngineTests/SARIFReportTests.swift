import Foundation
import RuleEngine
import Testing

/// `rulebot check --format sarif`: what code-scanning views read.
struct SARIFReportTests {
    @Test func eachDiagnosticIsAResultWithItsRuleLevelAndPlace() throws {
        let source = """
            rules:
              - when: message
                do:
                  - replly: Hello
                  - set: { key: user.on, value: yes }
            """
        let diagnostics = BotCompiler().compile(source: source, file: "bots/bot.yaml").diagnostics
        let log = try JSONDecoder().decode(Value.self, from: Data(SARIFReport.render(diagnostics).utf8))
        #expect(log["version"] == "2.1.0")
        guard case .array(let runs) = log["runs"], let run = runs.first else {
            Issue.record("no run")
            return
        }
        #expect(run["tool"]["driver"]["name"] == "rulebot")
        guard case .array(let results) = run["results"] else {
            Issue.record("no results")
            return
        }
        #expect(results.count == diagnostics.count)
        let found = results.first { $0["ruleId"] == "unknown-action" }
        let unknown = try #require(found)
        #expect(unknown["level"] == "error")
        #expect(unknown["message"]["text"].string?.contains("did you mean 'reply'?") == true)
        guard case .array(let locations) = unknown["locations"], let first = locations.first else {
            Issue.record("no location")
            return
        }
        let place = first["physicalLocation"]
        #expect(place["artifactLocation"]["uri"] == "bots/bot.yaml")
        #expect(place["region"]["startLine"] == 4)
        #expect(place["region"]["startColumn"] == 9)
        #expect(results.contains { $0["ruleId"] == "yaml-ambiguous-scalar" && $0["level"] == "warning" })
    }
}
