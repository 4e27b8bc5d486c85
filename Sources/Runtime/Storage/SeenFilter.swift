import Synchronization

/// A Bloom filter over the ids in SQLite's `seen` table, so that accepting a webhook asks the
/// database only about ids it may already have handled. "Not seen" is certain; "maybe" holds
/// for every handled id and for about 1% of new ones while the filter is within its capacity.
///
/// Nearly every id is new, and without the filter each webhook would pay a read transaction on
/// the database just to hear "no".
final class SeenFilter: Sendable {
    private struct Bits {
        var words: [UInt64]
        var capacity: Int
        var count = 0
        /// Stale bits left by ids purged since the filter was built.
        var purged = 0
        /// Ids inserted while a rebuild reads the table, to add to the new bits.
        var arriving: [String]?

        init(capacity: Int) {
            self.capacity = capacity
            words = Array(repeating: 0, count: (capacity * SeenFilter.bitsPerID + 63) / 64)
        }

        mutating func insert(_ id: String) {
            let bitCount = UInt64(words.count * 64)
            for position in SeenFilter.positions(of: id) {
                let bit = position % bitCount
                words[Int(bit / 64)] |= 1 << (bit % 64)
            }
            count += 1
        }

        func mayContain(_ id: String) -> Bool {
            let bitCount = UInt64(words.count * 64)
            return SeenFilter.positions(of: id).allSatisfy { position in
                let bit = position % bitCount
                return words[Int(bit / 64)] & (1 << (bit % 64)) != 0
            }
        }
    }

    /// 10 bits and 7 probes per id give about 1% false "maybe".
    static let bitsPerID = 10
    static let probes = 7
    /// The smallest capacity built, so a young database does not rebuild every minute.
    static let minimumCapacity = 1 << 20

    private let bits: Mutex<Bits>

    /// A filter holding `ids`, with room for as many again.
    init(ids: [String]) {
        var bits = Bits(capacity: max(Self.minimumCapacity, 2 * ids.count))
        for id in ids { bits.insert(id) }
        self.bits = Mutex(bits)
    }

    /// Whether `id` may be in the table; `false` is certain.
    func mayContain(_ id: String) -> Bool {
        bits.withLock { $0.mayContain(id) }
    }

    /// Adds a handled id (after its commit is durable).
    func insert(_ id: String) {
        bits.withLock { bits in
            bits.insert(id)
            bits.arriving?.append(id)
        }
    }

    /// Notes ids purged from the table; returns whether the filter should be rebuilt, because it
    /// holds more ids than it was sized for or too many stale ones.
    func purged(_ count: Int) -> Bool {
        bits.withLock { bits in
            bits.purged += count
            return bits.count > bits.capacity || bits.purged > bits.capacity / 2
        }
    }

    /// Rebuilds the filter from the table's ids, read by `load` while inserts continue.
    func rebuild(from load: () async throws -> [String]) async throws {
        bits.withLock { $0.arriving = [] }
        let ids: [String]
        do {
            ids = try await load()
        } catch {
            bits.withLock { $0.arriving = nil }
            throw error
        }
        var fresh = Bits(capacity: max(Self.minimumCapacity, 2 * ids.count))
        for id in ids { fresh.insert(id) }
        bits.withLock { bits in
            for id in bits.arriving ?? [] { fresh.insert(id) }
            bits = fresh
        }
    }

    /// The probe positions of `id`, by double hashing two seeded hashes.
    private static func positions(of id: String) -> some Sequence<UInt64> {
        var first = Hasher()
        first.combine(id)
        var second = Hasher()
        second.combine(0x9E37_79B9_7F4A_7C15 as UInt64)
        second.combine(id)
        let a = UInt64(bitPattern: Int64(first.finalize()))
        let b = UInt64(bitPattern: Int64(second.finalize())) | 1
        return (0..<UInt64(probes)).lazy.map { a &+ $0 &* b }
    }
}
