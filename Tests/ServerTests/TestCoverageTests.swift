import ConversationTesting
import Foundation
import RuleEngine
import Testing

@testable import Server

/// `rulebot test --coverage` and `--format junit`.
struct TestCoverageTests {
    static let tests = ServerHarness.repositoryRoot.appendingPathComponent("bots/tests")

    @Test func coverageListsWhatTheShippedBotsTestsNeverReach() async throws {
        let book = CoverageBook()
        for name in ["expiry.yaml", "json_cache.yaml"] {
            let (results, problem) = await TestCommand.runFile(
                Self.tests.appendingPathComponent(name).path, trace: false, coverage: book)
            #expect(problem == nil)
            #expect(results.filter { !$0.passed }.isEmpty)
        }
        let reports = book.reports()
        let expiry = try #require(reports.first { $0.file.hasSuffix("expiry.yaml") })
        let cache = try #require(reports.first { $0.file.hasSuffix("json_cache.yaml") })
        #expect(cache.isComplete, "\(cache.rendered)")
        #expect(expiry.rules.missed.map(\.name) == ["rule 'reset-empty'"], "\(expiry.rendered)")
        #expect(expiry.rules.missed.first?.location.line == 104)
        #expect(expiry.states.covered == 2 && expiry.timers.covered == 1 && expiry.texts.covered == 3)
        #expect(expiry.rendered.contains("never covered: rule 'reset-empty' at "))
    }

    @Test func junitHasASuitePerFileAndTheFailureText() {
        let failing = ConversationResult(
            name: "a <tricky> \"name\"", location: .init(file: "t.yaml", line: 3, column: 5),
            failure: "t.yaml:9:9: expected the reply \"hi\", got:\n      | bye", traces: [])
        let passing = ConversationResult(
            name: "fine", location: .init(file: "t.yaml", line: 1, column: 5), failure: nil, traces: [])
        let xml = JUnitReport.render([TestCommand.FileRun(file: "t.yaml", results: [passing, failing], problem: nil)])
        #expect(xml.contains(#"<testsuite name="t.yaml" tests="2" failures="1">"#))
        #expect(xml.contains(#"<testcase name="fine" classname="t.yaml"/>"#))
        #expect(xml.contains(#"name="a &lt;tricky&gt; &quot;name&quot;""#))
        #expect(xml.contains(#"<failure message="t.yaml:9:9: expected the reply &quot;hi&quot;, got:">"#))
    }
}
