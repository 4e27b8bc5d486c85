import ArgumentParser
public import Runtime
import Synchronization

/// The `rulebot` command line. A developer with custom actions calls `RulebotCommand.main(registry:)`.
public struct RulebotCommand: AsyncParsableCommand {
    /// Subcommands and help.
    public static let configuration = CommandConfiguration(
        commandName: "rulebot",
        abstract: "Declarative WhatsApp bots: check, draw, chat with, test and serve YAML bot files.",
        subcommands: [
            ServeCommand.self, ChatCommand.self, TestCommand.self, CheckCommand.self, GraphCommand.self,
            SchemaCommand.self, LSPCommand.self, SendEventCommand.self, InspectCommand.self, WhyCommand.self,
            UsersCommand.self, DiffCommand.self,
        ])

    /// Creates the command (used by ArgumentParser).
    public init() {}

    private static let installed = Mutex<ActionRegistry>(.builtIn)

    /// The actions every subcommand compiles and runs with.
    static var registry: ActionRegistry { installed.withLock { $0 } }

    /// Runs the command line with `registry`'s actions (the built-ins plus your own).
    public static func main(registry: ActionRegistry) async {
        installed.withLock { $0 = registry }
        await main()
    }
}
