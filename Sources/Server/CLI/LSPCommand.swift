import ArgumentParser

/// `rulebot lsp`: the Language Server Protocol over standard input and output, for any editor.
struct LSPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lsp",
        abstract:
            "Run the language server on stdin/stdout: diagnostics as you type, completion, go to definition, hover.")

    func run() throws {
        LanguageServer(connection: LSPConnection(), registry: RulebotCommand.registry).run()
    }
}
