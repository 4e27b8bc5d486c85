import ArgumentParser
import ConversationTesting
import Foundation
import RuleEngine
import Runtime
import Synchronization

/// `rulebot test [FILE...]`: run YAML conversation tests on a virtual clock.
struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run conversation tests (bots/tests/*.yaml) on a virtual clock; exit 1 on failure.")

    @Argument(help: "Test files or folders (default: bots/tests).")
    var paths: [String] = ["bots/tests"]

    @Flag(help: "Print why each rule did or did not fire for every event.")
    var trace = false

    @Flag(help: "After the tests, report which rules, states, timers and texts they never covered.")
    var coverage = false

    @Option(help: "Output format: text for people, junit for CI systems.")
    var format: Format = .text

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, junit
    }

    /// One test file's outcome.
    struct FileRun {
        var file: String
        var results: [ConversationResult]
        var problem: String?
    }

    func run() async throws {
        var runs: [FileRun] = []
        let coverage = CoverageBook()
        for file in try Self.expand(paths) {
            let (results, problem) = await Self.runFile(file, trace: trace, coverage: self.coverage ? coverage : nil)
            runs.append(FileRun(file: file, results: results, problem: problem))
        }
        let failed = runs.reduce(0) { $0 + ($1.problem == nil ? $1.results.filter { !$0.passed }.count : 1) }
        switch format {
        case .text: print(textReport(runs), terminator: "")
        case .junit: print(JUnitReport.render(runs), terminator: "")
        }
        if self.coverage {
            let reports = coverage.reports()
            let rendered = reports.map(\.rendered).joined()
            // JUnit goes to standard output for the CI system; the coverage then goes to standard error.
            if format == .junit {
                FileHandle.standardError.write(Data(rendered.utf8))
            } else {
                print(rendered, terminator: "")
            }
        }
        if failed > 0 { throw ExitCode(1) }
    }

    private func textReport(_ runs: [FileRun]) -> String {
        var lines: [String] = []
        var passed = 0
        var failed = 0
        for run in runs {
            if let problem = run.problem {
                lines.append(problem)
                failed += 1
                continue
            }
            lines.append(run.file)
            for result in run.results {
                lines.append(result.passed ? "  ✓ \(result.name)" : "  ✗ \(result.name)")
                if trace {
                    for t in result.traces {
                        lines.append(t.split(separator: "\n").map { "      \($0)" }.joined(separator: "\n"))
                    }
                }
                if let failure = result.failure { lines.append("      " + failure) }
                if result.passed { passed += 1 } else { failed += 1 }
            }
        }
        lines.append("\(passed) passed, \(failed) failed")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Where a test file's `bot:` points: an absolute path as it is, a relative one from the
    /// test file's folder (whatever the working directory).
    static func botPath(_ bot: String, besides testFile: String) -> String {
        if bot.hasPrefix("/") { return bot }
        let current = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        let test = testFile.hasPrefix("/") ? URL(fileURLWithPath: testFile) : current.appendingPathComponent(testFile)
        return test.standardized.deletingLastPathComponent().appendingPathComponent(bot).standardized.path
    }

    /// A path under the working directory as a relative one, as people typed it; others as they are.
    static func shown(_ path: String) -> String {
        let current = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardized.path + "/"
        return path.hasPrefix(current) ? String(path.dropFirst(current.count)) : path
    }

    static func runFile(_ file: String, trace: Bool, coverage: CoverageBook? = nil) async -> (
        [ConversationResult], String?
    ) {
        let source: String
        do { source = try BotFile.readSource(file) } catch { return ([], "\(file): \(error)") }
        let (parsed, diagnostics) = ConversationParser.parse(source: source, file: file)
        guard let spec = parsed else { return ([], DiagnosticRenderer(source: source).render(diagnostics)) }
        let botPath = Self.shown(Self.botPath(spec.bot, besides: file))
        do {
            let botFile = try BotFile.load(botPath)
            let bot = try LoadedBot(graph: try botFile.graph(), registry: RulebotCommand.registry)
            let observer: any HostObserver = coverage?.recorder(for: bot.graph) ?? NoObserver()
            return (
                await ConversationRunner(bot: bot, observer: observer, registry: RulebotCommand.registry).run(
                    spec, trace: trace), nil
            )
        } catch {
            return ([], "\(file): \(error)")
        }
    }

    static func expand(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw CLIError("no such file or folder: \(path)")
            }
            if isDirectory.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: path).filter {
                    $0.hasSuffix(".yaml") || $0.hasSuffix(".yml")
                }
                files += names.sorted().map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        return files
    }
}

/// One coverage record per bot file, shared by every test file that tests it.
final class CoverageBook: Sendable {
    private let recorders = Mutex<[String: (graph: RuleGraph, recorder: CoverageRecorder)]>([:])

    func recorder(for graph: RuleGraph) -> CoverageRecorder {
        recorders.withLock { recorders in
            if let known = recorders[graph.file] { return known.recorder }
            let recorder = CoverageRecorder()
            recorders[graph.file] = (graph, recorder)
            return recorder
        }
    }

    /// A report per bot file, in file order.
    func reports() -> [CoverageReport] {
        recorders.withLock { $0 }.sorted { $0.key < $1.key }.map { $0.value.recorder.report(for: $0.value.graph) }
    }
}

/// Test results as JUnit XML: a test suite per file, a test case per conversation test.
enum JUnitReport {
    static func render(_ runs: [TestCommand.FileRun]) -> String {
        var lines = [#"<?xml version="1.0" encoding="UTF-8"?>"#, "<testsuites>"]
        for run in runs {
            let failures = run.problem == nil ? run.results.filter { !$0.passed }.count : 1
            let tests = run.problem == nil ? run.results.count : 1
            lines.append(
                #"  <testsuite name="\#(escape(run.file))" tests="\#(tests)" failures="\#(failures)">"#)
            if let problem = run.problem {
                lines.append(#"    <testcase name="load" classname="\#(escape(run.file))">"#)
                lines.append(#"      <failure message="the test file did not load">\#(escape(problem))</failure>"#)
                lines.append("    </testcase>")
            }
            for result in run.results {
                let name = #"name="\#(escape(result.name))" classname="\#(escape(run.file))""#
                guard let failure = result.failure else {
                    lines.append("    <testcase \(name)/>")
                    continue
                }
                lines.append("    <testcase \(name)>")
                lines.append(#"      <failure message="\#(escape(firstLine(failure)))">\#(escape(failure))</failure>"#)
                lines.append("    </testcase>")
            }
            lines.append("  </testsuite>")
        }
        lines.append("</testsuites>")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func firstLine(_ text: String) -> String {
        String(text.split(separator: "\n", maxSplits: 1).first ?? "")
    }

    /// Text safe inside XML attributes and elements: the console's escaping serves both.
    static func escape(_ text: String) -> String { HTML.escape(text) }
}
