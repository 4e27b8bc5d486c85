import RuleEngine

/// `call`: an HTTP request to a declared API, made after the commit; its answer comes back as
/// `when: { response: NAME }`, its failure as `when: { call_failed: NAME }`.
struct CallAction: BuiltInAction {
    struct Arguments: Decodable, Sendable {
        var api: String
        var method: String?
        var path: CompiledTemplate?
        var query: [String: DataTemplate]?
        var body: DataTemplate?
        var name: String

        enum CodingKeys: String, CodingKey {
            case api, method, path, query, body
            case name = "as"
        }
    }

    static let name = "call"

    func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
        let body = arguments.body.map { context.evaluate($0) }
        let query = (arguments.query ?? [:]).mapValues { context.evaluate($0) }.filter { $0.value != .null }
        let call = HTTPCall(
            api: arguments.api, method: arguments.method ?? (body == nil ? "GET" : "POST"),
            path: arguments.path.map { context.render($0) } ?? "", query: query.mapValues(\.text), body: body)
        context.startWork(PendingWork(name: arguments.name, kind: .http(call)))
    }
}
