public import RuleEngine

/// A request ready to go: the URL, method, headers (secrets resolved) and body.
public struct HTTPRequestSpec: Sendable, Hashable {
    /// The full URL.
    public var url: String
    /// The method.
    public var method: String
    /// Headers, including `Idempotency-Key`.
    public var headers: [String: String]
    /// A JSON body.
    public var body: [UInt8]?
    /// Seconds the attempt may take.
    public var timeout: Double
    /// Whether loopback and private addresses may be reached.
    public var allowPrivate: Bool

    /// Creates a request.
    public init(
        url: String, method: String, headers: [String: String], body: [UInt8]?, timeout: Double, allowPrivate: Bool
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.allowPrivate = allowPrivate
    }
}

/// What one HTTP attempt came to.
public enum HTTPAttempt: Sendable, Hashable {
    /// An answer, whatever its status.
    case response(status: Int, headers: [String: String], body: [UInt8])
    /// No answer: connection refused, reset, DNS: worth another try.
    case networkError(String)
    /// No answer in time.
    case timeout
    /// Not attempted or not accepted, and never worth another try: an address the API may not
    /// reach, a redirect to another host, a body over the limit, a malformed URL.
    case refused(String)
}

/// Makes HTTP requests for calls: URLSession in the server, a mock in tests and the simulator.
public protocol HTTPPerformer: Sendable {
    /// One attempt of `request`, for the call named `name` (which mocks answer by).
    func perform(_ request: HTTPRequestSpec, name: String) async -> HTTPAttempt
}

/// What a Swift developer's registered task does: input in, a value for the rules out.
public typealias WorkTask = @Sendable (Value) async throws -> Value
