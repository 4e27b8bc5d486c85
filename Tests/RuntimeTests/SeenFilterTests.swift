import Testing

@testable import Runtime

/// The Bloom filter in front of SQLite's `seen` table may say "maybe" for a new id, never "no"
/// for a handled one.
struct SeenFilterTests {
    @Test func everyHandledIdIsAMaybeAndNewIdsAreMostlyNo() {
        let handled = (0..<5000).map { "bot:wamid.\($0)" }
        let filter = SeenFilter(ids: Array(handled.prefix(2500)))
        for id in handled.dropFirst(2500) { filter.insert(id) }
        #expect(handled.allSatisfy(filter.mayContain))
        let falseMaybes = (0..<5000).filter { filter.mayContain("bot:new.\($0)") }.count
        #expect(falseMaybes < 50, "\(falseMaybes) of 5000 new ids would need a database read")
    }

    @Test func aRebuildKeepsIdsHandledWhileItReadsAndForgetsPurgedOnes() async throws {
        let filter = SeenFilter(ids: ["purged", "kept"])
        #expect(!filter.purged(1), "one stale id is no reason to rebuild")
        try await filter.rebuild {
            filter.insert("arrived")
            return ["kept"]
        }
        #expect(filter.mayContain("kept"))
        #expect(filter.mayContain("arrived"), "an id committed during the rebuild's read is kept")
        #expect(!filter.mayContain("purged"))
    }

    @Test func manyPurgedIdsAskForARebuild() {
        let filter = SeenFilter(ids: [])
        #expect(filter.purged(SeenFilter.minimumCapacity / 2 + 1))
    }
}
