import ArgumentParser
import Foundation
import RuleEngine
import Runtime

/// `rulebot diff OLD NEW`: what deploying NEW over OLD removes or renames, and with a storage
/// how many live users each removal touches. Changes nothing.
struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what a new version of a bot removes (states, timers, stored keys) and whom it affects.")

    @Argument(help: "The running version of the bot file.")
    var old: String

    @Argument(help: "The new version.")
    var new: String

    @Option(help: "A storage URL to count the live users each removal affects.")
    var storage: String?

    func run() async throws {
        let before = try BotFile.load(old).graph()
        let after = try BotFile.load(new).graph()
        let diff = GraphDiff(from: before, to: after)
        var impact: DeployImpact?
        if let storage {
            let store = try StorageFactory.open(try StorageChoice.resolve(storage, preferred: nil))
            impact = try await DeployImpact.measure(
                diff, bot: before.name, storage: store, now: Date().timeIntervalSince1970)
        }
        print(Self.render(diff, impact: impact), terminator: "")
        if !diff.isSafe { throw ExitCode(2) }
    }

    static func render(_ diff: GraphDiff, impact: DeployImpact?) -> String {
        var lines: [String] = []
        func list(_ title: String, _ names: [String], _ counts: [String: Int]?, _ what: String) {
            for name in names {
                let affected = counts.map { " — \($0[name] ?? 0) user(s) \(what)" } ?? ""
                lines.append("\(title) \(name)\(affected)")
            }
        }
        list("removed state", diff.removedStates, impact?.usersInRemovedStates, "in it go back to the initial state")
        list("removed timer", diff.removedTimers, impact?.usersWithRemovedTimers, "have it running; it is cancelled")
        list("removed key", diff.removedKeys, impact?.usersWithRemovedKeys, "hold data no rule writes any more")
        lines += diff.likelyRenames.map { "renamed? \($0)" }
        lines +=
            diff.addedStates.map { "new state \($0)" } + diff.addedTimers.map { "new timer \($0)" }
            + diff.addedKeys.map { "new key \($0)" }
        if let impact { lines.append("\(impact.usersChecked) user(s) checked") }
        if diff.isSafe { lines.append("nothing live users hold is removed") }
        return lines.joined(separator: "\n") + "\n"
    }
}
