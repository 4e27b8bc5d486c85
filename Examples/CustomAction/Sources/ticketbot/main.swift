import Foundation
import RuleEngine
import Runtime
import Server

var registry = ActionRegistry.builtIn
registry.register(CreateTicket())
// The helpdesk: real I/O after the commit. Here it appends the ticket to a file ($TICKETS_FILE) and
// answers with its number; a real one would call the helpdesk's API. What it returns is
// `response.json` in the rules; what it throws is `response.reason` in a `call_failed` rule.
registry.registerTask("helpdesk.create") { input in
    let file = URL(
        fileURLWithPath: ProcessInfo.processInfo.environment["TICKETS_FILE"]
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("ticketbot-tickets.jsonl").path)
    let line = Data((input.jsonText + "\n").utf8)
    if let handle = try? FileHandle(forWritingTo: file) {
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
    } else {
        try line.write(to: file)
    }
    let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").count
    return .object(["id": .int(1000 + lines), "title": input["title"]])
}
await RulebotCommand.main(registry: registry)
