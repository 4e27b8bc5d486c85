extension Value {
    /// Compact JSON with sorted keys, written by hand: stored data is encoded on every commit,
    /// and this is several times faster than `JSONEncoder`.
    public var jsonText: String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        write(into: &out, sortKeys: true)
        return String(decoding: out, as: UTF8.self)
    }

    /// JSON with sorted keys, indented by two spaces: for files a person may open.
    public var prettyJSON: String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(into: &out, sortKeys: true, indent: 0)
        out.append(UInt8(ascii: "\n"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Compact JSON with keys in any order: for storage, where nobody reads the text.
    public var storageJSON: String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(into: &out, sortKeys: false)
        return String(decoding: out, as: UTF8.self)
    }

    /// Writes the value; `indent` is the current depth when pretty-printing, nil for compact.
    private func write(into out: inout [UInt8], sortKeys: Bool, indent: Int? = nil) {
        func newline(_ depth: Int) {
            guard indent != nil else { return }
            out.append(UInt8(ascii: "\n"))
            out += repeatElement(UInt8(ascii: " "), count: depth * 2)
        }
        let depth = indent ?? 0
        let inner = indent.map { $0 + 1 }
        switch self {
        case .null: out += Self.nullBytes
        case .bool(let b): out += b ? Self.trueBytes : Self.falseBytes
        case .int(let i): out += String(i).utf8
        case .double(let d):
            if !d.isFinite {
                out += Self.nullBytes
            } else if d == d.rounded(), abs(d) < 1e15 {
                out += String(Int(d)).utf8
                out += [UInt8(ascii: "."), UInt8(ascii: "0")]
            } else {
                out += String(d).utf8
            }
        case .string(let s): Self.writeString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newline(depth + 1)
                item.write(into: &out, sortKeys: sortKeys, indent: inner)
            }
            if !items.isEmpty { newline(depth) }
            out.append(UInt8(ascii: "]"))
        case .object(let fields):
            out.append(UInt8(ascii: "{"))
            var first = true
            func member(_ key: String, _ value: Value) {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                newline(depth + 1)
                Self.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                if indent != nil { out.append(UInt8(ascii: " ")) }
                value.write(into: &out, sortKeys: sortKeys, indent: inner)
            }
            if sortKeys {
                for key in fields.keys.sorted() { member(key, fields[key, default: .null]) }
            } else {
                for (key, value) in fields { member(key, value) }
            }
            if !fields.isEmpty { newline(depth) }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let nullBytes = Array("null".utf8)
    private static let trueBytes = Array("true".utf8)
    private static let falseBytes = Array("false".utf8)

    private static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            // Most text needs no escaping: copy it whole.
            guard bytes.contains(where: { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 }) else {
                out.append(contentsOf: bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case 0x22: out += [0x5C, 0x22]
                case 0x5C: out += [0x5C, 0x5C]
                case 0x0A: out += [0x5C, UInt8(ascii: "n")]
                case 0x0D: out += [0x5C, UInt8(ascii: "r")]
                case 0x09: out += [0x5C, UInt8(ascii: "t")]
                case ..<0x20:
                    let hex = Array(String(byte, radix: 16).utf8)
                    out += Array("\\u00".utf8) + (hex.count == 1 ? [UInt8(ascii: "0")] : []) + hex
                default: out.append(byte)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
