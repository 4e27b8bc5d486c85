import Foundation
import RuleEngine
import Testing

/// Every diagnostic id has a YAML snippet under Fixtures/diagnostics and its rendered output beside it.
struct DiagnosticGoldenTests {
    static let ids = [
        "yaml-syntax", "duplicate-key", "unknown-key", "wrong-type", "yaml-ambiguous-scalar", "missing-key",
        "conflicting-keys", "invalid-action", "unknown-action", "invalid-value", "invalid-name", "invalid-template",
        "invalid-expression", "invalid-duration", "invalid-regex", "invalid-timezone", "invalid-command",
        "invalid-storage-key", "invalid-storage", "unknown-trigger", "unknown-function", "wrong-argument-count",
        "undefined-state", "undefined-timer", "undefined-template", "undefined-variable", "duplicate-rule-id",
        "multiple-initial-states", "unreachable-state", "state-never-left", "shadowed-rule", "unused-timer",
        "too-many-buttons", "too-many-items", "button-title-too-long", "text-too-long", "nesting-too-deep",
        "yaml-too-large", "too-many-diagnostics", "deprecated-key", "media-header-not-allowed", "caption-not-allowed",
        "duplicate-id", "duplicate-title", "insecure-link", "invalid-link", "too-many-rows", "template-parameters",
        "undefined-whatsapp-template", "outside-service-window", "invalid-reaction", "caption-too-long",
        "invalid-api-url", "undefined-api", "undefined-result", "unhandled-result",
    ]

    @Test(arguments: ids)
    func rendersDiagnostic(id: String) throws {
        let folder = Golden.fixtures("diagnostics")
        let source = try String(contentsOf: folder.appendingPathComponent("\(id).yaml"), encoding: .utf8)
        let result = BotCompiler().compile(source: source, file: "bot.yaml")
        #expect(result.diagnostics.contains { $0.id == id }, "no diagnostic with id \(id)")
        let rendered = DiagnosticRenderer(source: source).render(result.diagnostics)
        try Golden.assert(rendered, matches: folder.appendingPathComponent("\(id).expected"))
    }

    @Test func everyFixtureIsListed() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Golden.fixtures("diagnostics").path)
        let fixtures = Set(names.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) })
        #expect(fixtures == Set(Self.ids))
    }
}
