/// Redis Cluster's hash slot of a key: CRC16 (XMODEM) of the key, or of its hash tag (the text
/// between the first `{` and the next `}`, when not empty), modulo 16,384.
enum RedisSlot {
    /// The number of slots in a cluster.
    static let count = 16_384

    /// The slot `key` lives in.
    static func of(_ key: String) -> Int {
        let bytes = key.utf8
        if let open = bytes.firstIndex(of: UInt8(ascii: "{")),
            let close = bytes[bytes.index(after: open)...].firstIndex(of: UInt8(ascii: "}")),
            close > bytes.index(after: open)
        {
            return Int(crc16(bytes[bytes.index(after: open)..<close])) % count
        }
        return Int(crc16(bytes)) % count
    }

    /// CRC-16/XMODEM: polynomial 0x1021, initial value 0, as Redis computes it.
    static func crc16<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)]
        }
        return crc
    }

    /// The CRC of each byte value, so `crc16` takes one step per byte.
    private static let table: [UInt16] = (0..<256).map { value in
        var crc = UInt16(value) << 8
        for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        return crc
    }
}
