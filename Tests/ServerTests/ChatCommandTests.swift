import Foundation
import Testing

/// `rulebot chat` from a pipe: `/advance` fires timers without waiting for them, output arrives
/// line by line, and the end of input waits no longer than `--wait`.
struct ChatCommandTests {
    func chat(_ input: String, arguments: [String] = []) throws -> String {
        let process = Process()
        process.executableURL = EndToEndTests.rulebotBinary
        let bot = ServerHarness.repositoryRoot.appendingPathComponent("bots/expiry.yaml").path
        process.arguments = ["chat", bot, "--storage", "memory"] + arguments
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: output, as: UTF8.self)
    }

    @Test(.timeLimit(.minutes(1)))
    func advanceFiresTheTimerAndTheEndOfInputWaitsNoLongerThanItsWait() throws {
        let output = try chat("hello\nsecond\n/advance 16s\nagain\n", arguments: ["--wait", "0"])
        let lines = output.split(separator: "\n").map(String.init)
        let echo = try #require(lines.firstIndex { $0.contains("Message History (2 messages)") }, "\(output)")
        let again = try #require(lines.firstIndex(of: "> again"))
        #expect(echo < again, "the echo came when the clock moved, before the next message")
        #expect(output.contains("1 timer still running"), "the new session's timer is left, said so")
    }

    @Test func aWrongDurationIsExplainedAndALongerWordIsAMessage() throws {
        let output = try chat("/advance soon\n/advanced\n", arguments: ["--wait", "0"])
        #expect(output.contains("/advance needs a duration such as 30s"))
        #expect(output.contains("Message #1 stored"), "'/advanced' goes to the bot")
    }
}
