/// Mutates corpus inputs deterministically (a seeded xorshift), with tokens that have broken
/// the compiler and the webhook parser before: nesting, aliases, surrogates, huge numbers.
struct Mutator {
    private var state: UInt64
    private let corpus: [[UInt8]]
    private static let tokens: [[UInt8]] = [
        "((((((((", "))))", "{{#if true}}", "{{/if}}", "{{#each vars.l as a}}", "{{/each}}", "{{ x }}",
        "[[[[", "]]", "{a: ", "- - - ", "&a ", "*a", "\\ud800", "\\udc00", "\\u0041", "1e400", "-1e999", "\"inf\"",
        "\"nan\"", "9223372036854775808", "\n", "\t", "\u{1B}[31m", ": ", "'", "\"", "#", "|\n", "> ", "?", "not ",
        "matches \"(a+)+$\"", "\0", "\u{FFFD}",
    ].map { Array($0.utf8) }

    init(seed: UInt64, corpus: [[UInt8]]) {
        self.state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed
        self.corpus = corpus
    }

    private mutating func random(_ bound: Int) -> Int {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return bound <= 0 ? 0 : Int(state % UInt64(bound))
    }

    /// The next input: a corpus entry with one to four mutations.
    mutating func next() -> [UInt8] {
        var input = corpus[random(corpus.count)]
        for _ in 0...random(4) { mutate(&input) }
        return input
    }

    private mutating func mutate(_ input: inout [UInt8]) {
        let at = random(input.count + 1)
        switch random(6) {
        case 0 where !input.isEmpty:
            input[min(at, input.count - 1)] ^= UInt8(truncatingIfNeeded: 1 << random(8))
        case 1:
            input.insert(contentsOf: Self.tokens[random(Self.tokens.count)], at: at)
        case 2 where !input.isEmpty:
            let end = min(input.count, at + random(64))
            input.removeSubrange(at..<end)
        case 3 where at < input.count:
            // Repeat a slice many times: what turns a small input into a deep or long one.
            let end = min(input.count, at + 1 + random(16))
            let slice = input[at..<end]
            let times = 1 + random(2_000)
            input.insert(contentsOf: (0..<times).flatMap { _ in slice }, at: end)
        case 4:
            let other = corpus[random(corpus.count)]
            let start = random(other.count)
            input.insert(contentsOf: other[start..<min(other.count, start + random(256))], at: at)
        default:
            input.insert(UInt8(truncatingIfNeeded: random(256)), at: at)
        }
    }
}
