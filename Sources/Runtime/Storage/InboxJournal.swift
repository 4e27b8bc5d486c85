import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// SQLite's inbox: accepted events appended to segment files beside the database
/// (`PATH-inbox.N`, one JSON record per line), so accepting a webhook costs one `write` on the
/// request's own thread instead of a turn of the database's single writer.
///
/// An event is done when the commit that handles it has stored its id in the `seen` table;
/// the journal then forgets it, and deletes a finished segment once none of its events is
/// pending. On open, events whose id is not in `seen` are pending again and move into a fresh
/// segment. Like SQLite's WAL with `synchronous = NORMAL`, a written line survives a crash of
/// the process, not of the machine.
///
/// A line that cannot be read back (damaged by hand or by a disk fault) never blocks start-up:
/// it is appended as it was to `PATH-inbox.quarantine` and counted in `quarantinedLines`.
final class InboxJournal: Sendable {
    /// One segment file's events. Per-segment maps keep every resize small: a single map for all
    /// pending events grows with the backlog, and doubling it holds the lock every request needs.
    private struct Segment {
        var number: Int
        /// In the order accepted, with their ids (built once, not per lookup).
        var entries: [(id: String, entry: InboxEntry)] = []
        /// Ids not yet handled, with how long they stay remembered.
        var waiting: [String: Double] = [:]
    }

    private struct State {
        var descriptor: Int32
        var bytes = 0
        /// Oldest first; the last one is being written.
        var segments: [Segment]
        var reserved: Set<String> = []

        func isPending(_ id: String) -> Bool {
            segments.contains { $0.waiting[id] != nil }
        }
    }

    private let base: String
    /// Segments grow to about this size before the next one starts.
    private let segmentBytes: Int
    private let state: Mutex<State>
    /// Damaged lines moved to the quarantine file when the journal was opened.
    let quarantinedLines: [String]

    /// Opens the journal at `base` (the database path): reads every segment, keeps the events
    /// `isDone` does not know, writes them into a new segment and deletes the old ones.
    init(
        base: String, segmentBytes: Int = 4 << 20, recovered: [(InboxEntry, rememberUntil: Double)] = [],
        isDone: ([String]) throws -> Set<String>
    ) throws {
        self.base = base
        self.segmentBytes = segmentBytes
        let old = try Self.segments(of: base)
        var entries: [(InboxEntry, Double)] = recovered
        var damaged: [String] = []
        for number in old {
            entries += try Self.read(Self.path(base, number), damaged: &damaged)
        }
        if !damaged.isEmpty {
            // Kept before the segments holding them are deleted below, so nothing is lost unseen.
            try Self.quarantine(damaged, path: Self.quarantinePath(base))
        }
        self.quarantinedLines = damaged
        let done = try isDone(entries.map(\.0.id))
        let next = (old.last ?? 0) + 1
        let descriptor = try FileDescriptor.open(Self.path(base, next), flags: O_APPEND)
        var segment = Segment(number: next)
        var lines = ""
        for (entry, rememberUntil) in entries {
            let id = entry.id
            guard !done.contains(id), segment.waiting[id] == nil else { continue }
            segment.entries.append((id, entry))
            segment.waiting[id] = rememberUntil
            lines += Self.line(entry, rememberUntil: rememberUntil)
        }
        var state = State(descriptor: descriptor, segments: [segment])
        do {
            state.bytes = try FileDescriptor.write(lines, to: descriptor, path: Self.path(base, next))
            // The moved events must be on disk before the segments that held them go.
            guard fsync(descriptor) == 0 else { throw FileDescriptor.error("fsync", Self.path(base, next)) }
        } catch {
            close(descriptor)
            throw error
        }
        for number in old { unlink(Self.path(base, number)) }
        self.state = Mutex(state)
    }

    deinit {
        state.withLock { _ = close($0.descriptor) }
    }

    /// Claims the ids of `entries` that are neither pending nor claimed by another call, so two
    /// deliveries of one id cannot both be accepted; every claim must be `release`d afterwards.
    func reserve(_ entries: [InboxEntry]) -> [(id: String, entry: InboxEntry)] {
        state.withLock { state in
            entries.lazy.map { ($0.id, $0) }.filter { id, _ in
                !state.isPending(id) && state.reserved.insert(id).inserted
            }
        }
    }

    /// Ends the claims `reserve` made, whether or not their events were appended.
    func release(_ claims: [(id: String, entry: InboxEntry)]) {
        state.withLock { state in
            for claim in claims { state.reserved.remove(claim.id) }
        }
    }

    /// Appends claimed events; they are pending from now on.
    func append(_ accepted: [(id: String, entry: InboxEntry)], rememberUntil: Double) throws {
        guard !accepted.isEmpty else { return }
        let lines = accepted.reduce(into: "") { $0 += Self.line($1.entry, rememberUntil: rememberUntil) }
        try state.withLock { state in
            if state.bytes >= segmentBytes { try rotate(&state) }
            do {
                let current = Self.path(base, state.segments[state.segments.count - 1].number)
                state.bytes += try FileDescriptor.write(lines, to: state.descriptor, path: current)
            } catch {
                // Not acknowledged, so not kept: cut a partly written line off again.
                _ = ftruncate(state.descriptor, off_t(state.bytes))
                throw error
            }
            let last = state.segments.count - 1
            state.segments[last].entries += accepted
            for (id, _) in accepted { state.segments[last].waiting[id] = rememberUntil }
        }
    }

    /// Until when the id of a pending event is remembered, if it is pending.
    func rememberUntil(_ id: String) -> Double? {
        state.withLock { state in state.segments.lazy.compactMap { $0.waiting[id] }.first }
    }

    /// Forgets a handled event; deletes its segment when that was the segment's last pending event.
    func done(_ id: String) {
        state.withLock { state in
            guard let index = state.segments.firstIndex(where: { $0.waiting[id] != nil }) else { return }
            state.segments[index].waiting[id] = nil
            if state.segments[index].waiting.isEmpty && index < state.segments.count - 1 {
                unlink(Self.path(base, state.segments[index].number))
                state.segments.remove(at: index)
            }
        }
    }

    /// Pending events in the order they were accepted.
    func pending(limit: Int) -> [InboxEntry] {
        state.withLock { state in
            Array(
                state.segments.lazy.flatMap { segment in
                    segment.entries.lazy.filter { segment.waiting[$0.id] != nil }.map(\.entry)
                }.prefix(limit))
        }
    }

    private func rotate(_ state: inout State) throws {
        let current = state.segments[state.segments.count - 1]
        let descriptor = try FileDescriptor.open(Self.path(base, current.number + 1), flags: O_APPEND)
        close(state.descriptor)
        if current.waiting.isEmpty {
            unlink(Self.path(base, current.number))
            state.segments.removeLast()
        }
        state.segments.append(Segment(number: current.number + 1))
        state.descriptor = descriptor
        state.bytes = 0
    }

    private static func line(_ entry: InboxEntry, rememberUntil: Double) -> String {
        "\(rememberUntil)\t\(entry.recordJSON)\n"
    }

    private static func path(_ base: String, _ number: Int) -> String { "\(base)-inbox.\(number)" }

    /// Where lines that could not be read back are kept for a person to look at.
    static func quarantinePath(_ base: String) -> String { "\(base)-inbox.quarantine" }

    private static func quarantine(_ lines: [String], path: String) throws {
        try FileDescriptor.write(lines.map { $0 + "\n" }.joined(), toFile: path, flags: O_APPEND, sync: true)
    }

    /// The segment numbers present for `base`, in order.
    private static func segments(of base: String) throws -> [Int] {
        let url = URL(fileURLWithPath: base)
        let prefix = url.lastPathComponent + "-inbox."
        let names = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
        return names.compactMap { name in name.hasPrefix(prefix) ? Int(name.dropFirst(prefix.count)) : nil }.sorted()
    }

    /// A segment's events. A last line cut short by a crash during its write was never
    /// acknowledged, so it is skipped; a damaged line elsewhere goes to `damaged`.
    private static func read(_ path: String, damaged: inout [String]) throws -> [(InboxEntry, Double)] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let text = String(decoding: data, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        var entries: [(InboxEntry, Double)] = []
        for (index, line) in lines.enumerated() {
            let parts = line.split(separator: "\t", maxSplits: 1)
            let isLast = index == lines.count - 1 && !text.hasSuffix("\n")
            guard parts.count == 2, let until = Double(parts[0]), until.isFinite,
                let entry = try? InboxEntry(recordJSON: String(parts[1]))
            else {
                if !isLast { damaged.append(String(line)) }
                continue
            }
            entries.append((entry, until))
        }
        return entries
    }
}
