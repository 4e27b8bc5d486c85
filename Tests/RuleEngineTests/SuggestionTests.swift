import Testing

@testable import RuleEngine

/// "Did you mean" only for a likely slip, never for an unrelated word of the same length.
struct SuggestionTests {
    @Test func aSlipFindsTheWordAndAStrangerFindsNothing() {
        let actions = ["reply", "stop", "goto", "set", "append"]
        #expect(Suggestion.closest(to: "replly", in: actions) == "reply")
        #expect(Suggestion.closest(to: "http", in: actions) == nil, "not 'stop', two edits from a four-letter word")
        #expect(Suggestion.closest(to: "totl", in: ["total", "count"]) == "total")
        #expect(Suggestion.closest(to: "Reply", in: actions) == "reply")
        #expect(Suggestion.closest(to: "reply", in: actions) == nil, "the word itself needs no suggestion")
    }
}
