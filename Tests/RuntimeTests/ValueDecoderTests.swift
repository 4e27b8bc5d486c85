import RuleEngine
import Testing

@testable import Runtime

/// Action arguments decode straight from their checked `Value`, as a JSON round trip would.
struct ValueDecoderTests {
    struct Arguments: Decodable, Equatable {
        struct Row: Decodable, Equatable {
            var id: String
            var weight: Double
        }

        var title: String
        var count: Int
        var ratio: Double?
        var flags: [Bool]
        var rows: [Row]
        var data: Value
        var missing: String?
    }

    @Test func decodesNestedArgumentsAndConvertsNumbersAsJSONWould() throws {
        let value: Value = .object([
            "title": "hi", "count": .double(3), "ratio": .int(2), "flags": .array([true, false]),
            "rows": .array([.object(["id": "a", "weight": .int(1)])]),
            "data": .object(["nested": .array([.double(2.0), .null])]),
        ])
        let decoded = try ValueDecoder.decode(Arguments.self, from: value)
        #expect(
            decoded
                == Arguments(
                    title: "hi", count: 3, ratio: 2, flags: [true, false], rows: [.init(id: "a", weight: 1)],
                    data: .object(["nested": .array([.double(2.0), .null])]), missing: nil))
    }

    @Test func aMismatchSaysWhatWasExpectedAndWhere() {
        let error = #expect(throws: DecodingError.self) {
            try ValueDecoder.decode(Arguments.self, from: .object(["title": .int(1)]))
        }
        guard case .typeMismatch(_, let context)? = error else {
            Issue.record("expected a type mismatch, got \(String(describing: error))")
            return
        }
        #expect(context.codingPath.map(\.stringValue) == ["title"])
        #expect(context.debugDescription == "expected text, found a number")
    }
}
