public import RuleEngine

/// Work a rule hands off: committed with its event (as an outbox row, so it is as durable and
/// as ordered as the user's replies), carried out after the commit, its outcome fed back as an
/// event in the user's line (`when: { response: NAME }` or `when: { call_failed: NAME }`).
public struct PendingWork: Sendable, Hashable, Codable {
    /// What is carried out.
    public enum Kind: Sendable, Hashable, Codable {
        /// An HTTP request to a declared API.
        case http(HTTPCall)
        /// A task a Swift developer registered by this name (`ActionRegistry.registerTask`).
        case task(String)
    }

    /// The result's name, which the outcome event carries.
    public var name: String
    /// What is carried out.
    public var kind: Kind
    /// A task's input.
    public var input: Value

    /// Creates work.
    public init(name: String, kind: Kind, input: Value = .null) {
        self.name = name
        self.kind = kind
        self.input = input
    }
}

/// An HTTP request to one of the bot's declared APIs, as its rule built it. Secrets are not in
/// here: the API's headers are read (with their `${VARIABLES}`) when the request is made.
public struct HTTPCall: Sendable, Hashable, Codable {
    /// The API's name under `apis:`.
    public var api: String
    /// GET, POST, PUT, PATCH or DELETE.
    public var method: String
    /// Added to the API's base URL.
    public var path: String
    /// Query parameters.
    public var query: [String: String]
    /// A JSON body.
    public var body: Value?

    /// Creates a call.
    public init(api: String, method: String, path: String, query: [String: String] = [:], body: Value? = nil) {
        self.api = api
        self.method = method
        self.path = path
        self.query = query
        self.body = body
    }
}

/// The outcome of handed-off work: the answer, or why it failed for good.
public struct WorkResult: Sendable, Hashable, Codable {
    /// The result's name (`as:`).
    public var name: String
    /// The work's outbox id, which is also its `Idempotency-Key`.
    public var workID: String
    /// Whether it succeeded (`response`) or failed for good (`call_failed`).
    public var ok: Bool
    /// The HTTP status, if a response came.
    public var status: Int?
    /// The response body read as JSON (text when it is not JSON), or a task's result.
    public var json: Value
    /// The response headers, lowercased names.
    public var headers: [String: String]
    /// Why it failed.
    public var reason: String?
    /// How many attempts were made.
    public var attempts: Int

    /// Creates a result.
    public init(
        name: String, workID: String, ok: Bool, status: Int? = nil, json: Value = .null,
        headers: [String: String] = [:], reason: String? = nil, attempts: Int = 1
    ) {
        self.name = name
        self.workID = workID
        self.ok = ok
        self.status = status
        self.json = json
        self.headers = headers
        self.reason = reason
        self.attempts = attempts
    }
}

/// An event the business posted for one user (`POST /api/events`, `rulebot send-event`).
public struct BusinessEvent: Sendable, Hashable, Codable {
    /// Its name, which `when: { event: NAME }` matches.
    public var name: String
    /// Its data, read as `event.data`.
    public var data: Value
    /// The business's id for it, by which a repeat is recognised.
    public var id: String

    /// Creates an event.
    public init(name: String, data: Value, id: String) {
        self.name = name
        self.data = data
        self.id = id
    }
}
