import Foundation
import RuleEngine
import Testing

@testable import Server

/// `rulebot lsp` driven as an editor drives it, over a pipe.
struct LanguageServerTests {
    static let bot = """
        states:
          idle:
            initial: true
          busy: {}
        rules:
          - when: { command: /go }
            do:
              - goto: bussy
          - when: { command: /stop }
            in: busy
            do:
              - goto: idle
        """

    @Test(.timeLimit(.minutes(1)))
    func diagnosticsCompletionAndDefinitionAsAnEditorSeesThem() throws {
        let process = Process()
        process.executableURL = EndToEndTests.rulebotBinary
        process.arguments = ["lsp"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let client = LSPConnection(input: output.fileHandleForReading, output: input.fileHandleForWriting)
        let uri = "file:///tmp/bot.yaml"
        func request(_ id: Int, _ method: String, _ params: Value) -> Value? {
            client.write(.object(["jsonrpc": "2.0", "id": .int(id), "method": .string(method), "params": params]))
            while let message = client.read() {
                if message["id"] == .int(id) { return message }
            }
            return nil
        }
        func at(_ line: Int, _ character: Int) -> Value {
            .object([
                "textDocument": .object(["uri": .string(uri)]),
                "position": .object(["line": .int(line), "character": .int(character)]),
            ])
        }

        let initialized = try #require(request(1, "initialize", .object(["capabilities": .object([:])])))
        #expect(initialized["result"]["capabilities"]["definitionProvider"] == true)
        client.write(
            .object([
                "jsonrpc": "2.0", "method": "textDocument/didOpen",
                "params": .object([
                    "textDocument": .object([
                        "uri": .string(uri), "languageId": "yaml", "version": 1, "text": .string(Self.bot),
                    ])
                ]),
            ]))
        let published = try #require(client.read())
        #expect(published["method"] == "textDocument/publishDiagnostics")
        guard case .array(let diagnostics) = published["params"]["diagnostics"],
            let first = diagnostics.first(where: { $0["code"] == "undefined-state" })
        else {
            Issue.record("no undefined-state diagnostic: \(published)")
            return
        }
        let checked = BotCompiler().compile(source: Self.bot, file: "/tmp/bot.yaml").diagnostics
        let check = try #require(checked.first { $0.id == "undefined-state" })
        #expect(diagnostics.count == checked.count, "the same diagnostics as rulebot check")
        #expect(first["code"] == .string(check.id))
        #expect(first["range"]["start"]["line"] == .int(check.location.line - 1))
        #expect(first["range"]["start"]["character"] == .int(check.location.column - 1))
        #expect(first["range"]["end"]["character"] == .int(check.location.column - 1 + "bussy".count))
        #expect(first["message"].string?.contains("did you mean 'busy'?") == true)

        let fixes = try #require(
            request(
                8, "textDocument/codeAction",
                .object([
                    "textDocument": .object(["uri": .string(uri)]),
                    "range": first["range"], "context": .object(["diagnostics": .array([first])]),
                ])))
        guard case .array(let actions) = fixes["result"], let fix = actions.first else {
            Issue.record("no quick fix: \(fixes)")
            return
        }
        guard case .array(let edits) = fix["edit"]["changes"][uri], let edit = edits.first else {
            Issue.record("no edit: \(fix)")
            return
        }
        #expect(edit["newText"] == "busy")
        #expect(edit["range"] == first["range"], "it replaces the underlined word")

        // Line 7 is "      - goto: bussy"; completion right after "goto: ".
        let completion = try #require(request(2, "textDocument/completion", at(7, 14)))
        guard case .array(let items) = completion["result"] else {
            Issue.record("no completion: \(completion)")
            return
        }
        #expect(Set(items.compactMap { $0["label"].string }) == ["idle", "busy"])

        // Line 11 is "      - goto: idle": its definition is the key under states:.
        let definition = try #require(request(3, "textDocument/definition", at(11, 15)))
        #expect(definition["result"]["uri"] == .string(uri))
        #expect(definition["result"]["range"]["start"]["line"] == 1)
        #expect(definition["result"]["range"]["start"]["character"] == 2)

        let references = try #require(request(6, "textDocument/references", at(11, 15)))
        guard case .array(let places) = references["result"] else {
            Issue.record("no references: \(references)")
            return
        }
        #expect(places.map { $0["range"]["start"]["line"] } == [1, 11], "the declaration, then the goto")

        let symbols = try #require(
            request(7, "textDocument/documentSymbol", .object(["textDocument": .object(["uri": .string(uri)])])))
        guard case .array(let declared) = symbols["result"] else {
            Issue.record("no symbols: \(symbols)")
            return
        }
        #expect(declared.compactMap { $0["name"].string } == ["idle", "busy"])

        let hover = try #require(request(4, "textDocument/hover", at(11, 9)))
        #expect(hover["result"]["contents"]["value"].string?.contains("goto") == true)

        _ = request(5, "shutdown", .null)
        client.write(.object(["jsonrpc": "2.0", "method": "exit"]))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}
