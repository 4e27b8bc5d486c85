import Foundation
import RuleEngine
import Runtime
import Testing

struct JSONParserTests {
    static var fixtureFiles: [URL] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/whatsapp")
        let files =
            FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        return files.filter { $0.pathExtension == "json" }.sorted { $0.path < $1.path }
    }

    @Test func agreesWithJSONDecoderOnEveryWhatsAppFixture() throws {
        #expect(Self.fixtureFiles.count > 50)
        for url in Self.fixtureFiles {
            let data = try Data(contentsOf: url)
            let expected = try JSONDecoder().decode(Value.self, from: data)
            #expect(try JSONParser.parse(Array(data)) == expected, "\(url.lastPathComponent)")
        }
    }

    @Test func readsEscapesAndSurrogatePairs() throws {
        #expect(try JSONParser.parse(#""Ol\u00e1 \ud83d\ude00 a\/b \"q\" \\ \n""#) == .string("Olá 😀 a/b \"q\" \\ \n"))
        #expect(
            try JSONParser.parse(" [1, -2.5, 1e3, true, null, {}] ")
                == .array([.int(1), .double(-2.5), .double(1000), .bool(true), .null, .object([:])]))
    }

    /// Any WhatsApp user can put any escape in a message: none may trap (the fuzzed webhook
    /// `"\ud800\u0041"` once killed the server), and each broken surrogate reads as U+FFFD.
    @Test(arguments: [
        (#""\ud800\u0041""#, "\u{FFFD}A"),
        (#""\udc00x""#, "\u{FFFD}x"),
        (#""a\ud800""#, "a\u{FFFD}"),
        (#""\udc00\ud800""#, "\u{FFFD}\u{FFFD}"),
        (#""\ud800\ud800\udc00""#, "\u{FFFD}\u{10000}"),
        (#""\ud83d\ude00""#, "😀"),
    ])
    func readsBrokenSurrogatesAsReplacementCharacters(json: String, expected: String) throws {
        #expect(try JSONParser.parse(json) == .string(expected))
    }

    @Test func keepsNumbersBeyondDoubleAsTheirText() throws {
        #expect(try JSONParser.parse("[1e400, -1e999, 1e19]") == .array(["1e400", "-1e999", .double(1e19)]))
    }

    @Test func roundTripsWhatItWrites() throws {
        let value: Value = .object([
            "text": "line\nbreak \"quoted\" 😀", "n": .int(-3), "d": .double(1.5),
            "list": .array([.null, .bool(false)]),
        ])
        #expect(try JSONParser.parse(value.jsonText) == value)
        #expect(try JSONParser.parse(value.storageJSON) == value)
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\" 1}", "\"unterminated", "tru", "01x", "{} extra", "\"\u{01}\"", "-", "1.", "1e", "01",
        "1.5.5", "1e+-2", "--1",
    ])
    func rejectsMalformedInput(text: String) {
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(text) }
    }
}
