import Foundation
import RuleEngine
import Runtime

/// How a Graph API answer is treated: Meta's rate limits come back as HTTP 400 with specific codes.
enum GraphError {
    /// Codes that mean "slow down and try again".
    static let retryableCodes: Set<Int> = [4, 80007, 130429, 131000, 131016, 133004, 1, 2]
    /// The number is in maintenance (a throughput upgrade takes up to a minute).
    static let maintenance = 131057
    /// Too many messages to one user: Meta asks for 4^X seconds between tries.
    static let pairRateLimit = 131056
    /// Codes that mean the access token is wrong or expired: nothing will work until an operator acts.
    static let tokenCodes: Set<Int> = [190]

    /// The outcome for an HTTP status and response body.
    static func outcome(status: Int, body: Data, retryAfter: Double?) -> SendOutcome {
        if (200..<300).contains(status) { return .sent }
        let error = (try? JSONDecoder().decode(Value.self, from: body))?["error"] ?? .null
        let code = error["code"].number.map { Int($0) }
        let message = error["message"].string ?? "HTTP \(status)"
        let reason = code.map { "\($0): \(message)" } ?? message
        if let code, tokenCodes.contains(code) { return .failed(reason: "access token rejected (\(reason))") }
        if code == pairRateLimit { return .pairRateLimited(reason: reason) }
        if code == maintenance { return .retry(after: max(retryAfter ?? 60, 60), reason: reason) }
        if let code, retryableCodes.contains(code) { return .retry(after: retryAfter ?? 1, reason: reason) }
        if status == 429 || status >= 500 { return .retry(after: retryAfter ?? 1, reason: reason) }
        return .failed(reason: reason)
    }
}
