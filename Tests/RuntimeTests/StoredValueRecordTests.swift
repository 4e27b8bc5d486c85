import Foundation
import RuleEngine
import Testing

@testable import Runtime

/// Redis keeps values and timers through the one JSON codec; rows `JSONEncoder` wrote before
/// still read, and what the codec writes reads with `JSONDecoder` too.
struct StoredValueRecordTests {
    static let values: [StoredValue] = [
        StoredValue(.object(["name": "Ana", "n": 2, "list": .array(["a", .null])]), expiresAt: 1_767_261_600.5),
        StoredValue(.double(1.5)), StoredValue(.string("text with \"quotes\" and 😀\n")), StoredValue(.null),
    ]

    @Test(arguments: values)
    func storedValuesReadBothWays(value: StoredValue) throws {
        #expect(try StoredValue(recordJSON: value.recordJSON) == value)
        let written = String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
        #expect(try StoredValue(recordJSON: written) == value)
        #expect(try JSONDecoder().decode(StoredValue.self, from: Data(value.recordJSON.utf8)) == value)
    }

    @Test func timersReadBothWays() throws {
        let timer = TimerRecord(bot: "b", userID: "u1", name: "t", startedAt: 10, dueAt: 25.5, generation: "g-1")
        #expect(try TimerRecord(recordJSON: timer.recordJSON) == timer)
        let written = String(decoding: try JSONEncoder().encode(timer), as: UTF8.self)
        #expect(try TimerRecord(recordJSON: written) == timer)
        #expect(throws: RuntimeError.self) { try TimerRecord(recordJSON: #"{"bot":"b"}"#) }
    }
}
