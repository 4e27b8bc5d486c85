public import RuleEngine

/// The three scopes of stored data.
public enum Scope: String, Sendable, Hashable, Codable, CaseIterable {
    /// Profile and session data.
    case user
    /// Per-user records such as message history.
    case table
    /// The user's state machine data (cleared when the state changes).
    case state
}

/// Where one stored value lives for a user.
public struct StorageKey: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The scope.
    public var scope: Scope
    /// The key inside the scope.
    public var key: String

    /// Creates a key.
    public init(_ scope: Scope, _ key: String) {
        self.scope = scope
        self.key = key
    }

    /// The record of the user's current state machine position.
    public static let machine = StorageKey(.state, "@machine")

    /// `scope.key`.
    public var description: String { "\(scope.rawValue).\(key)" }

    /// Orders by scope, then key.
    public static func < (lhs: StorageKey, rhs: StorageKey) -> Bool {
        (lhs.scope.rawValue, lhs.key) < (rhs.scope.rawValue, rhs.key)
    }
}

/// A stored value with its expiry time.
public struct StoredValue: Sendable, Hashable, Codable {
    /// The value.
    public var value: Value
    /// When it stops existing (Unix seconds); nil for never.
    public var expiresAt: Double?

    /// Creates a stored value.
    public init(_ value: Value, expiresAt: Double? = nil) {
        self.value = value
        self.expiresAt = expiresAt
    }

    /// Whether it has expired at `now`.
    public func isExpired(at now: Double) -> Bool {
        expiresAt.map { $0 <= now } ?? false
    }
}

/// A running timer of one user.
public struct TimerRecord: Sendable, Hashable, Codable {
    /// The bot the timer belongs to.
    public var bot: String
    /// The user.
    public var userID: String
    /// The timer's name.
    public var name: String
    /// When it was started.
    public var startedAt: Double
    /// When it fires.
    public var dueAt: Double
    /// Unique per start, so a restart replaces it and a late firing of the old one is ignored.
    public var generation: String

    /// Creates a timer record.
    public init(bot: String, userID: String, name: String, startedAt: Double, dueAt: Double, generation: String) {
        self.bot = bot
        self.userID = userID
        self.name = name
        self.startedAt = startedAt
        self.dueAt = dueAt
        self.generation = generation
    }
}

/// Everything stored for one user of one bot, as loaded before an event.
public struct UserSnapshot: Sendable, Hashable {
    /// The user.
    public var userID: String
    /// Unexpired stored values.
    public var values: [StorageKey: StoredValue]
    /// Running timers by name.
    public var timers: [String: TimerRecord]

    /// Creates a snapshot.
    public init(userID: String, values: [StorageKey: StoredValue] = [:], timers: [String: TimerRecord] = [:]) {
        self.userID = userID
        self.values = values
        self.timers = timers
    }
}
