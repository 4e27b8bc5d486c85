import RuleEngine

/// Reads the fields of a stored record (a JSON object parsed into a `Value`), throwing a
/// `RuntimeError.storage` that names the record and field when a required one is missing.
///
/// Records are written in the layout Swift's synthesised `Codable` uses, so a row written by
/// either `JSONEncoder` or the hand-written writers reads back the same way.
struct RecordFields {
    let fields: [String: Value]
    let record: String

    init(_ value: Value, record: String) throws {
        guard case .object(let fields) = value else {
            throw RuntimeError.storage("stored \(record) is not a JSON object")
        }
        self.fields = fields
        self.record = record
    }

    func string(_ name: String) throws -> String {
        guard let text = fields[name]?.string else { throw missing(name) }
        return text
    }

    func optionalString(_ name: String) -> String? { fields[name]?.string }

    func double(_ name: String) throws -> Double {
        guard let number = fields[name]?.number else { throw missing(name) }
        return number
    }

    func optionalDouble(_ name: String) -> Double? { fields[name]?.number }

    func bool(_ name: String) throws -> Bool {
        guard case .bool(let flag) = fields[name] else { throw missing(name) }
        return flag
    }

    func optionalBool(_ name: String) -> Bool? {
        if case .bool(let flag) = fields[name] { return flag }
        return nil
    }

    func object(_ name: String) throws -> RecordFields {
        guard let value = fields[name] else { throw missing(name) }
        return try RecordFields(value, record: "\(record).\(name)")
    }

    func array(_ name: String) throws -> [Value] {
        guard case .array(let items) = fields[name] else { throw missing(name) }
        return items
    }

    /// The single case of an enum written as `{"case": {…}}`, with its payload.
    func enumCase() throws -> (name: String, payload: RecordFields) {
        guard fields.count == 1, let (name, payload) = fields.first else {
            throw RuntimeError.storage("stored \(record) does not name exactly one case")
        }
        return (name, try RecordFields(payload, record: "\(record).\(name)"))
    }

    private func missing(_ name: String) -> RuntimeError {
        RuntimeError.storage("stored \(record) lacks a valid '\(name)'")
    }
}

/// Builds a record object, leaving out nil fields as synthesised `Codable` does.
struct RecordBuilder {
    private(set) var fields: [String: Value] = [:]

    init() { fields.reserveCapacity(8) }

    mutating func set(_ name: String, _ text: String?) {
        if let text { fields[name] = .string(text) }
    }

    mutating func set(_ name: String, _ value: Value?) {
        if let value { fields[name] = value }
    }

    /// JSON has no infinity or NaN: such a number is stored as 0 rather than as a `null` that a
    /// required field could not be read back from.
    mutating func set(_ name: String, _ number: Double?) {
        if let number { fields[name] = .double(number.isFinite ? number : 0) }
    }

    var value: Value { .object(fields) }

    /// `{"name": payload}`, the synthesised layout of an enum case.
    static func enumCase(_ name: String, _ payload: Value) -> Value { .object([name: payload]) }
}
