import ArgumentParser
import RuleEngine

extension GraphExporter.Format: ExpressibleByArgument {}

/// `rulebot graph FILE`: draw the bot's states and transitions.
struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph", abstract: "Print the bot's state machine as Mermaid or Graphviz dot.")

    @Argument(help: "The bot file.")
    var file: String

    @Option(help: "mermaid (paste into a Mermaid viewer) or dot (pipe into 'dot -Tsvg').")
    var format: GraphExporter.Format = .mermaid

    func run() throws {
        let graph = try BotFile.load(file).graph()
        print(GraphExporter.export(graph, as: format), terminator: "")
    }
}
