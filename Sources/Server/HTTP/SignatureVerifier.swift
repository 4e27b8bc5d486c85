import Crypto
import Foundation

/// Checks `X-Hub-Signature-256` (HMAC-SHA256 of the raw body with the app secret).
public struct SignatureVerifier: Sendable {
    let secret: SymmetricKey

    /// A verifier for the app secret Meta signs with.
    public init(appSecret: String) {
        secret = SymmetricKey(data: Data(appSecret.utf8))
    }

    /// Whether `header` signs `body`. Compares in constant time. If the raw bytes do not match and
    /// the body has non-ASCII characters, the body with those characters escaped as `\uXXXX` is
    /// tried too: Meta signs that form for some payloads.
    public func isValid(header: String?, body: [UInt8]) -> Bool {
        guard let header, header.hasPrefix("sha256="), let expected = Self.hexBytes(header.dropFirst(7)),
            expected.count == 32
        else {
            return false
        }
        if HMAC<SHA256>.isValidAuthenticationCode(expected, authenticating: body, using: secret) { return true }
        guard body.contains(where: { $0 >= 0x80 }) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(
            expected, authenticating: Self.escapingNonASCII(body), using: secret)
    }

    /// The signature header for `body`, as Meta would send it (used by tests and benchmarks).
    public func header(for body: [UInt8]) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var out = Array("sha256=".utf8)
        for byte in HMAC<SHA256>.authenticationCode(for: body, using: secret) {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hexBytes(_ text: Substring) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }

    static func escapingNonASCII(_ body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for scalar in String(decoding: body, as: UTF8.self).unicodeScalars {
            if scalar.isASCII {
                out.append(UInt8(scalar.value))
            } else {
                for unit in String(scalar).utf16 { out += Array(String(format: "\\u%04x", unit).utf8) }
            }
        }
        return out
    }
}
