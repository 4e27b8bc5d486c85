import ArgumentParser

struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "test")
    func run() async throws {}
}
