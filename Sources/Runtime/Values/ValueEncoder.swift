import RuleEngine

/// Turns an `Encodable` record into a `Value`, so files of the JSON storage are written by the
/// same JSON writer as every other stored record (`ValueDecoder` reads them back).
enum ValueEncoder {
    static func encode(_ value: some Encodable) throws -> Value {
        let root = Slot()
        try value.encode(to: ValueEncoding(slot: root, codingPath: []))
        return root.built
    }
}

/// Where an encoded value goes; containers fill theirs as their children are encoded.
private final class Slot {
    var value: Value = .null
    var fields: [String: Slot]?
    var items: [Slot]?

    /// The value with every container's children collected.
    var built: Value {
        if let fields { return .object(fields.mapValues(\.built)) }
        if let items { return .array(items.map(\.built)) }
        return value
    }
}

private struct ValueEncoding: Encoder, SingleValueEncodingContainer {
    let slot: Slot
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if slot.fields == nil { slot.fields = [:] }
        return KeyedEncodingContainer(KeyedSlots<Key>(slot: slot, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if slot.items == nil { slot.items = [] }
        return UnkeyedSlots(slot: slot, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    mutating func encodeNil() throws { slot.value = .null }
    mutating func encode(_ value: Bool) throws { slot.value = .bool(value) }
    mutating func encode(_ value: String) throws { slot.value = .string(value) }
    mutating func encode(_ value: Double) throws { slot.value = .double(value) }
    mutating func encode(_ value: Float) throws { slot.value = .double(Double(value)) }
    mutating func encode(_ value: Int) throws { slot.value = .int(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        // A `Value` is stored as itself; anything else encodes through this encoder.
        if let same = value as? Value {
            slot.value = same
            return
        }
        try value.encode(to: ValueEncoding(slot: slot, codingPath: codingPath))
    }
}

private struct KeyedSlots<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: Slot
    let codingPath: [any CodingKey]

    private func child(_ key: Key) -> ValueEncoding {
        let child = Slot()
        slot.fields?[key.stringValue] = child
        return ValueEncoding(slot: child, codingPath: codingPath + [key])
    }

    mutating func encodeNil(forKey key: Key) throws {
        var encoding = child(key)
        try encoding.encodeNil()
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        var encoding = child(key)
        try encoding.encode(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        child(key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        child(key).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { ValueEncoding(slot: slot, codingPath: codingPath) }

    mutating func superEncoder(forKey key: Key) -> any Encoder { child(key) }
}

private struct UnkeyedSlots: UnkeyedEncodingContainer {
    let slot: Slot
    let codingPath: [any CodingKey]

    var count: Int { slot.items?.count ?? 0 }

    private func next() -> ValueEncoding {
        let child = Slot()
        slot.items?.append(child)
        return ValueEncoding(slot: child, codingPath: codingPath)
    }

    mutating func encodeNil() throws {
        var encoding = next()
        try encoding.encodeNil()
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        var encoding = next()
        try encoding.encode(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        next().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { next().unkeyedContainer() }

    mutating func superEncoder() -> any Encoder { next() }
}
