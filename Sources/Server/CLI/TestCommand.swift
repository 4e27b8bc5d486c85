import ArgumentParser
import ConversationTesting
import Foundation
import RuleEngine
import Runtime

/// `rulebot test [FILE...]`: run YAML conversation tests on a virtual clock.
struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run conversation tests (bots/tests/*.yaml) on a virtual clock; exit 1 on failure.")

    @Argument(help: "Test files or folders (default: bots/tests).")
    var paths: [String] = ["bots/tests"]

    @Flag(help: "Print why each rule did or did not fire for every event.")
    var trace = false

    func run() async throws {
        var passed = 0
        var failed = 0
        for file in try Self.expand(paths) {
            let (results, problem) = await Self.runFile(file, trace: trace)
            if let problem {
                print(problem)
                failed += 1
                continue
            }
            print(file)
            for result in results {
                print(result.passed ? "  ✓ \(result.name)" : "  ✗ \(result.name)")
                if trace {
                    for t in result.traces {
                        print(t.split(separator: "\n").map { "      \($0)" }.joined(separator: "\n"))
                    }
                }
                if let failure = result.failure { print("      " + failure) }
                if result.passed { passed += 1 } else { failed += 1 }
            }
        }
        print("\(passed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode(1) }
    }

    /// Where a test file's `bot:` points: an absolute path as it is, a relative one from the
    /// test file's folder (whatever the working directory).
    static func botPath(_ bot: String, besides testFile: String) -> String {
        if bot.hasPrefix("/") { return bot }
        let current = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        let test = testFile.hasPrefix("/") ? URL(fileURLWithPath: testFile) : current.appendingPathComponent(testFile)
        return test.standardized.deletingLastPathComponent().appendingPathComponent(bot).standardized.path
    }

    static func runFile(_ file: String, trace: Bool) async -> ([ConversationResult], String?) {
        let source: String
        do { source = try BotFile.readSource(file) } catch { return ([], "\(file): \(error)") }
        let (parsed, diagnostics) = ConversationParser.parse(source: source, file: file)
        guard let spec = parsed else { return ([], DiagnosticRenderer(source: source).render(diagnostics)) }
        let botPath = Self.botPath(spec.bot, besides: file)
        do {
            let botFile = try BotFile.load(botPath)
            let bot = try LoadedBot(graph: try botFile.graph(), registry: RulebotCommand.registry)
            return (await ConversationRunner(bot: bot).run(spec, trace: trace), nil)
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
