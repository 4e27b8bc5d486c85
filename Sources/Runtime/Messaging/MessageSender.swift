import Logging
import Synchronization

/// What happened to one send attempt.
public enum SendOutcome: Sendable, Hashable {
    /// Delivered to WhatsApp.
    case sent
    /// A temporary failure (rate limit, network, 5xx): try again after this many seconds.
    case retry(after: Double, reason: String)
    /// A permanent failure (outside the 24-hour window, bad token, …): do not retry.
    case failed(reason: String)
    /// Error 131056, too many messages to this user: Meta asks for 4^X seconds between tries.
    case pairRateLimited(reason: String)
}

/// Delivers outbound messages. The Graph API sender implements it; tests and the simulator record.
public protocol MessageSender: Sendable {
    /// One attempt to deliver `message`.
    func send(_ message: OutboundMessage) async -> SendOutcome
    /// The business number `message` goes out from: the send rate is counted per number.
    func sendingNumber(for message: OutboundMessage) -> String
    /// How many POSTs to `/messages` sending `message` takes: the send rate counts every one.
    func requestCount(for message: OutboundMessage) -> Int
}

extension MessageSender {
    /// The message's own number, if it names one.
    public func sendingNumber(for message: OutboundMessage) -> String { message.phoneNumberID ?? "" }

    /// One request per message.
    public func requestCount(for message: OutboundMessage) -> Int { 1 }
}

/// Keeps every message it is given, for tests, `rulebot test` and `rulebot chat`.
public final class RecordingSender: MessageSender {
    private let messages = Mutex<[OutboundMessage]>([])

    /// Creates an empty recorder.
    public init() {}

    /// Records the message as sent.
    public func send(_ message: OutboundMessage) async -> SendOutcome {
        messages.withLock { $0.append(message) }
        return .sent
    }

    /// Everything sent so far.
    public var sent: [OutboundMessage] { messages.withLock { $0 } }

    /// Returns and forgets what was sent so far.
    public func drain() -> [OutboundMessage] {
        messages.withLock { messages in
            defer { messages.removeAll() }
            return messages
        }
    }
}

/// Logs messages instead of sending them: `rulebot serve` without WhatsApp credentials.
public struct LoggingSender: MessageSender {
    let logger: Logger

    /// Creates a sender that logs at info level.
    public init(logger: Logger) {
        self.logger = logger
    }

    /// Logs the message.
    public func send(_ message: OutboundMessage) async -> SendOutcome {
        if case .markRead = message.body { return .sent }
        logger.info(
            "outbound disabled; would send",
            metadata: ["user.id": "\(PhoneMask.mask(message.to))", "text": "\(message.displayText)"])
        return .sent
    }
}

/// Hides the middle of phone numbers in logs.
public enum PhoneMask {
    /// `34600123456` → `346•••••456`.
    public static func mask(_ phone: String) -> String {
        guard phone.count > 6 else { return String(repeating: "•", count: phone.count) }
        return String(phone.prefix(3)) + String(repeating: "•", count: phone.count - 6) + String(phone.suffix(3))
    }
}
