import Foundation
import Synchronization

/// Console logins: a random session id in an HttpOnly, SameSite=Strict cookie, and with it a
/// CSRF token every state-changing form must carry. Kept in memory: a restart logs everyone out.
final class ConsoleSessions: Sendable {
    struct Session: Sendable {
        var csrf: String
        var expires: Double
    }

    static let cookieName = "rulebot_session"
    /// Eight hours.
    static let lifetime: Double = 8 * 3600

    private let sessions = Mutex<[String: Session]>([:])

    /// A new session; returns its id and CSRF token.
    func create(now: Double) -> (id: String, csrf: String) {
        let id = Self.randomToken()
        let csrf = Self.randomToken()
        sessions.withLock { sessions in
            sessions = sessions.filter { $0.value.expires > now }
            sessions[id] = Session(csrf: csrf, expires: now + Self.lifetime)
        }
        return (id, csrf)
    }

    /// The live session with this id.
    func session(_ id: String?, now: Double) -> Session? {
        guard let id else { return nil }
        return sessions.withLock { sessions in
            guard let session = sessions[id], session.expires > now else { return nil }
            return session
        }
    }

    func end(_ id: String?) {
        guard let id else { return }
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

    /// 32 random bytes as hex.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// The session id in a `Cookie` header.
    static func sessionID(inCookieHeader header: String?) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces)
            if pair.hasPrefix(cookieName + "=") { return String(pair.dropFirst(cookieName.count + 1)) }
        }
        return nil
    }
}

/// `application/x-www-form-urlencoded` bodies.
enum FormBody {
    static func parse(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
            }
            guard let name = parts.first else { continue }
            fields[decode(name)] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }
}
