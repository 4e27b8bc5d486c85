import Foundation
import RuleEngine
import Runtime

/// `rulebot lsp`'s answers: diagnostics from the same compiler as `rulebot check` (ids as codes,
/// did-you-mean in the message), completion of states, timers, texts and actions, go to
/// definition, hover docs. Documents are synchronised whole.
final class LanguageServer {
    private let connection: LSPConnection
    private let registry: ActionRegistry
    /// Each open document's outline and diagnostics, built once per change, not per request.
    private var documents: [String: (outline: BotOutline, diagnostics: [Diagnostic])] = [:]
    private var shuttingDown = false

    init(connection: LSPConnection, registry: ActionRegistry) {
        self.connection = connection
        self.registry = registry
    }

    /// Answers messages until `exit` or the end of input.
    func run() {
        while let message = connection.read() {
            let method = message["method"].string ?? ""
            if method == "exit" { return }
            let id = message["id"]
            let result = handle(method, message["params"])
            guard id != .null else { continue }
            switch result {
            case .success(let value):
                connection.write(.object(["jsonrpc": "2.0", "id": id, "result": value]))
            case .failure(let error):
                connection.write(
                    .object([
                        "jsonrpc": "2.0", "id": id,
                        "error": .object(["code": .int(error.code), "message": .string(error.message)]),
                    ]))
            }
        }
    }

    struct ProtocolError: Error {
        var code: Int
        var message: String
    }

    private func handle(_ method: String, _ params: Value) -> Result<Value, ProtocolError> {
        switch method {
        case "initialize":
            return .success(
                .object([
                    "capabilities": .object([
                        "textDocumentSync": 1,
                        "completionProvider": .object(["triggerCharacters": .array([" ", ":", "-"])]),
                        "definitionProvider": true, "hoverProvider": true, "referencesProvider": true,
                        "documentSymbolProvider": true, "codeActionProvider": true,
                    ]),
                    "serverInfo": .object(["name": "rulebot"]),
                ]))
        case "shutdown":
            shuttingDown = true
            return .success(.null)
        case "textDocument/didOpen":
            open(params["textDocument"]["uri"].string, params["textDocument"]["text"].string)
        case "textDocument/didChange":
            guard case .array(let changes) = params["contentChanges"], let last = changes.last else { break }
            open(params["textDocument"]["uri"].string, last["text"].string)
        case "textDocument/didClose":
            if let uri = params["textDocument"]["uri"].string { documents[uri] = nil }
        case "textDocument/completion":
            guard let (outline, line, column) = position(params) else { return .success(.array([])) }
            return .success(
                .array(
                    outline.completions(line: line, column: column).map {
                        .object(["label": .string($0.label), "detail": .string($0.detail)])
                    }))
        case "textDocument/definition":
            guard let (outline, line, column) = position(params),
                let declaration = outline.definition(line: line, column: column),
                let uri = params["textDocument"]["uri"].string
            else { return .success(.null) }
            let start = Self.position(declaration.location)
            let end = Self.position(declaration.location, plus: declaration.name.count)
            return .success(
                .object(["uri": .string(uri), "range": .object(["start": start, "end": end])]))
        case "textDocument/codeAction":
            return .success(.array(quickFixes(params)))
        case "textDocument/references":
            guard let (outline, line, column) = position(params), let uri = params["textDocument"]["uri"].string
            else { return .success(.array([])) }
            let name = outline.definition(line: line, column: column)?.name ?? ""
            return .success(
                .array(
                    outline.references(line: line, column: column).map {
                        .object([
                            "uri": .string(uri),
                            "range": .object([
                                "start": Self.position($0), "end": Self.position($0, plus: name.count),
                            ]),
                        ])
                    }))
        case "textDocument/documentSymbol":
            guard let uri = params["textDocument"]["uri"].string, let outline = documents[uri]?.outline else {
                return .success(.array([]))
            }
            // LSP's Enum, Constant, String, Interface.
            let kinds = ["state": 10, "timer": 14, "text": 15, "whatsapp template": 11, "api": 11]
            return .success(
                .array(
                    outline.declarations.map { declaration in
                        let range: Value = .object([
                            "start": Self.position(declaration.location),
                            "end": Self.position(declaration.location, plus: declaration.name.count),
                        ])
                        return .object([
                            "name": .string(declaration.name), "detail": .string(declaration.kind),
                            "kind": .int(kinds[declaration.kind] ?? 13), "range": range, "selectionRange": range,
                        ])
                    }))
        case "textDocument/hover":
            guard let (outline, line, column) = position(params), let text = outline.hover(line: line, column: column)
            else { return .success(.null) }
            return .success(.object(["contents": .object(["kind": "markdown", "value": .string(text)])]))
        default:
            if method.hasPrefix("$/") || method == "initialized" { break }
            return .failure(ProtocolError(code: -32601, message: "rulebot lsp does not handle '\(method)'"))
        }
        return .success(.null)
    }

    /// A quick fix for every diagnostic with a did-you-mean in the requested range: it replaces
    /// the underlined word with the suggestion.
    private func quickFixes(_ params: Value) -> [Value] {
        guard let uri = params["textDocument"]["uri"].string, let (outline, diagnostics) = documents[uri],
            let line = params["range"]["start"]["line"].number
        else { return [] }
        let fixable = diagnostics.filter {
            $0.suggestion != nil && $0.location.line - 1 == Int(line)
        }
        return fixable.compactMap { diagnostic in
            guard let suggestion = diagnostic.suggestion else { return nil }
            let range: Value = .object([
                "start": Self.position(diagnostic.location),
                "end": Self.position(diagnostic.location, plus: outline.span(at: diagnostic.location)),
            ])
            return .object([
                "title": .string("Change to '\(suggestion)'"), "kind": "quickfix",
                "edit": .object([
                    "changes": .object([
                        uri: .array([.object(["range": range, "newText": .string(suggestion)])])
                    ])
                ]),
            ])
        }
    }

    /// Keeps the document and publishes its diagnostics.
    private func open(_ uri: String?, _ text: String?) {
        guard let uri, let text else { return }
        let path = URL(string: uri)?.path ?? uri
        let outline = BotOutline(text: text, file: path, catalog: registry.catalog)
        let found = BotFile.compile(path, source: text, registry: registry).result.diagnostics
        documents[uri] = (outline, found)
        let diagnostics = found.map {
            diagnostic -> Value in
            var message = diagnostic.message
            if let suggestion = diagnostic.suggestion { message += "; did you mean '\(suggestion)'?" }
            for note in diagnostic.notes { message += "\n" + note }
            return .object([
                "range": .object([
                    "start": Self.position(diagnostic.location),
                    "end": Self.position(diagnostic.location, plus: outline.span(at: diagnostic.location)),
                ]),
                "severity": .int(diagnostic.severity == .error ? 1 : 2),
                "code": .string(diagnostic.id), "source": "rulebot", "message": .string(message),
            ])
        }
        connection.write(
            .object([
                "jsonrpc": "2.0", "method": "textDocument/publishDiagnostics",
                "params": .object(["uri": .string(uri), "diagnostics": .array(diagnostics)]),
            ]))
    }

    /// The outline of the document a request is about, and the request's 1-based position.
    private func position(_ params: Value) -> (BotOutline, Int, Int)? {
        guard let uri = params["textDocument"]["uri"].string, let outline = documents[uri]?.outline,
            let line = params["position"]["line"].number, let character = params["position"]["character"].number
        else { return nil }
        return (outline, Int(line) + 1, Int(character) + 1)
    }

    /// An LSP position (0-based) for a 1-based location, `plus` characters along.
    private static func position(_ location: SourceLocation, plus: Int = 0) -> Value {
        .object(["line": .int(max(0, location.line - 1)), "character": .int(max(0, location.column - 1 + plus))])
    }
}
