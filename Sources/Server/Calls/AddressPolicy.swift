import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Which addresses a call may reach: public ones, unless the API is declared with
/// `allow_private: true`. So a URL built from user data (a path, a query) can never be turned
/// against this machine, its network or a cloud metadata service.
enum AddressPolicy {
    /// Why `host` may not be called, or nil: every address it resolves to must be public.
    static func problem(host: String, allowPrivate: Bool) -> String? {
        if allowPrivate { return nil }
        let addresses = resolve(host)
        if addresses.isEmpty { return nil }  // Unresolvable: the request itself reports it.
        if let bad = addresses.first(where: isPrivate) {
            return
                "'\(host)' is a loopback or private address (\(bad)); declare the API with allow_private: true to call it"
        }
        return nil
    }

    /// The numeric addresses of `host` (itself, when it is one).
    static func resolve(_ host: String) -> [String] {
        let name = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(list) }
        var addresses: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(
                entry.pointee.ai_addr, entry.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0,
                NI_NUMERICHOST) == 0
            {
                addresses.append(
                    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            cursor = entry.pointee.ai_next
        }
        return addresses
    }

    /// Loopback, private, link-local, carrier-grade NAT, unspecified, multicast, or an IPv6
    /// form of one of them.
    static func isPrivate(_ address: String) -> Bool {
        let lower = address.lowercased()
        if lower.contains(":") {
            if let mapped = lower.split(separator: ":").last, mapped.contains(".") { return isPrivate(String(mapped)) }
            let first = lower.split(separator: ":", omittingEmptySubsequences: false).first ?? ""
            let word = UInt16(first, radix: 16) ?? 0
            return lower == "::1" || lower == "::" || (word & 0xfe00) == 0xfc00 || (word & 0xffc0) == 0xfe80
                || (word & 0xff00) == 0xff00
        }
        let parts = lower.split(separator: ".").compactMap { UInt8($0) }
        guard parts.count == 4 else { return true }
        switch (parts[0], parts[1]) {
        case (0, _), (10, _), (127, _), (169, 254), (192, 168): return true
        case (172, 16...31), (100, 64...127): return true
        case (224...255, _): return true
        default: return false
        }
    }
}
