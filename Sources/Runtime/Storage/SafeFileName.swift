/// File names derived from untrusted text (phone numbers, message ids) that cannot leave their directory.
enum SafeFileName {
    /// Keeps letters, digits, `+`, `-` and `_`; every other byte becomes `%XX`, so `/`, `.` and `..` never survive.
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if byte < 0x80, c.isLetter || c.isNumber || c == "+" || c == "-" || c == "_" {
                out.append(c)
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out.isEmpty ? "%00" : out
    }

    /// The original text of an encoded name.
    static func decode(_ name: String) -> String {
        var bytes: [UInt8] = []
        var chars = name.utf8.makeIterator()
        while let byte = chars.next() {
            if byte == UInt8(ascii: "%"), let high = chars.next(), let low = chars.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
