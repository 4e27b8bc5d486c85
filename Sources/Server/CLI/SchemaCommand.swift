import ArgumentParser
import Foundation
import RuleEngine
import Runtime

/// `rulebot schema`: the JSON Schema of bot files for editors.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema", abstract: "Print a JSON Schema of the bot language for YAML editors.")

    func run() throws {
        let schema = SchemaGenerator.schema(catalog: RulebotCommand.registry.catalog)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(schema), as: UTF8.self))
    }
}
