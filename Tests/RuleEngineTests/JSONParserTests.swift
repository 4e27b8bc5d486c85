import Foundation
import RuleEngine
import Testing

struct JSONParserTests {
    static var fixtureFiles: [URL] {
        let root = Golden.repositoryRoot().deletingLastPathComponent().appendingPathComponent(
            "shared/fixtures/whatsapp")
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

    @Test func roundTripsWhatItWrites() throws {
        let value: Value = .object([
            "text": "line\nbreak \"quoted\" 😀", "n": .int(-3), "d": .double(1.5),
            "list": .array([.null, .bool(false)]),
        ])
        #expect(try JSONParser.parse(value.jsonText) == value)
        #expect(try JSONParser.parse(value.storageJSON) == value)
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "\"unterminated", "tru", "01x", "{} extra", "\"\u{01}\""])
    func rejectsMalformedInput(text: String) {
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(text) }
    }
}
