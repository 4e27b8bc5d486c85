import ArgumentParser
import Foundation
import RuleEngine

/// `rulebot check FILE...`: compile bots and print every diagnostic.
struct CheckCommand: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, sarif
    }

    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Compile bot files and report every error and warning (exit 1 on errors).")

    @Argument(help: "Bot files to check.")
    var files: [String]

    @Option(help: "Output format: text for people, json for editors and CI, sarif for code-scanning views.")
    var format: Format = .text

    func run() throws {
        var failed = false
        var all: [Diagnostic] = []
        for path in files {
            let file = try BotFile.load(path)
            failed = failed || file.result.hasErrors
            switch format {
            case .text:
                print(file.renderedDiagnostics + file.summary, terminator: "")
            case .json, .sarif:
                all += file.result.diagnostics
            }
        }
        if format == .sarif { print(SARIFReport.render(all), terminator: "") }
        if format == .json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(all), as: UTF8.self))
        }
        if failed { throw ExitCode(1) }
    }
}
