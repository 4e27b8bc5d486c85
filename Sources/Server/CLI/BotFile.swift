import Foundation
import RuleEngine
import Runtime

/// A bot file read from disk and compiled.
struct BotFile {
    var path: String
    var source: String
    var result: CompileResult

    /// Reads and compiles `path` with the command line's actions.
    static func load(_ path: String, registry: ActionRegistry = RulebotCommand.registry) throws -> BotFile {
        compile(path, source: try readSource(path), registry: registry)
    }

    /// The text of a bot or test file, refused unread when it is larger than the compiler
    /// accepts, so a huge file can take neither `check` nor a reloading server's memory.
    static func readSource(_ path: String) throws -> String {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        if let size, size > CompileLimits.fileBytes {
            throw CLIError(
                "'\(path)' is \(size) bytes; a bot or test file may have at most \(CompileLimits.fileBytes) [file-too-large]"
            )
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("cannot read '\(path)': no such file or not readable")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Compiles `source`, naming it `path` in diagnostics.
    static func compile(_ path: String, source: String, registry: ActionRegistry = RulebotCommand.registry) -> BotFile {
        BotFile(
            path: path, source: source,
            result: BotCompiler(catalog: registry.catalog).compile(source: source, file: path))
    }

    /// The diagnostics rendered as `rulebot check` prints them.
    var renderedDiagnostics: String {
        DiagnosticRenderer(source: source).render(result.diagnostics)
    }

    /// The graph, or an error carrying the rendered diagnostics.
    func graph() throws -> RuleGraph {
        guard let graph = result.graph else { throw CLIError(renderedDiagnostics + summary) }
        return graph
    }

    /// `N errors, M warnings`.
    var summary: String {
        let errors = result.diagnostics.filter { $0.severity == .error }.count
        let warnings = result.diagnostics.count - errors
        return "\(path): \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")\n"
    }
}

/// A command-line failure with a message for the user, printed without a stack trace.
struct CLIError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
