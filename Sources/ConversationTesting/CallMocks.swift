public import RuleEngine
import Runtime
import Synchronization

/// How a test answers a call, by the call's result name (`as:`).
///
/// ```yaml
/// calls:
///   ticket: { status: 201, json: { id: 4711 } }   # an answer
///   lookup: { timeout: true }                       # no answer in time: call_failed
///   flaky:  { fail: connection refused }            # a network error: retried, then call_failed
/// ```
public enum CallMock: Sendable, Hashable {
    /// An HTTP answer.
    case response(status: Int, json: Value, headers: [String: String])
    /// No connection: retried as the clock moves, then `call_failed`.
    case networkError(String)
    /// No answer in time.
    case timeout

    /// Reads a mock from its YAML value.
    static func read(_ value: Value) -> CallMock {
        if value["timeout"] == .bool(true) { return .timeout }
        if let reason = value["fail"].string { return .networkError(reason) }
        var headers: [String: String] = [:]
        if case .object(let fields) = value["headers"] {
            for (name, value) in fields { headers[name.lowercased()] = value.text }
        }
        let status = value["status"].number.flatMap { Int(exactly: $0) } ?? 200
        return .response(status: status, json: value["json"], headers: headers)
    }
}

/// Answers calls from a test's mocks, recording each request; a call with no mock is refused
/// and named, so the test fails saying which mock to add. `rulebot chat --mocks` uses it too.
public final class MockPerformer: HTTPPerformer {
    struct Made: Sendable {
        var name: String
        var request: HTTPRequestSpec
    }

    let mocks: [String: CallMock]
    private let made = Mutex<[Made]>([])
    private let unmocked = Mutex<[String]>([])

    /// A performer answering from `mocks`, by call name.
    public init(mocks: [String: CallMock]) {
        self.mocks = mocks
    }

    /// Answers from the mock of `name`.
    public func perform(_ request: HTTPRequestSpec, name: String) async -> HTTPAttempt {
        made.withLock { $0.append(Made(name: name, request: request)) }
        guard let mock = mocks[name] else {
            unmocked.withLock { $0.append("\(request.method) \(request.url) as '\(name)'") }
            return .refused("the test gives no mock for '\(name)'")
        }
        switch mock {
        case .response(let status, let json, let headers):
            let body = json == .null ? [] : Array(json.jsonText.utf8)
            return .response(status: status, headers: headers, body: body)
        case .networkError(let reason): return .networkError(reason)
        case .timeout: return .timeout
        }
    }

    /// Calls made so far that no mock answered, and forgets them.
    func takeUnmocked() -> [String] {
        unmocked.withLock { calls in
            defer { calls.removeAll() }
            return calls
        }
    }

    /// The requests made so far, and forgets them.
    func takeMade() -> [Made] {
        made.withLock { calls in
            defer { calls.removeAll() }
            return calls
        }
    }
}
