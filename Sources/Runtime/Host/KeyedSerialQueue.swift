import Synchronization

/// Runs operations one at a time per key, in the order their turns were taken; different keys run
/// concurrently.
///
/// A turn is taken synchronously (`reserve`) and used later (`run`), so work that waits in some
/// other queue first, such as a bounded worker pool, keeps the order in which it was accepted:
/// anything that reserves after it, like a timer firing, runs after it.
package final class KeyedSerialQueue<Key: Hashable & Sendable>: Sendable {
    /// A place in a key's line.
    package struct Turn: Sendable {
        fileprivate let key: Key
        fileprivate let number: UInt64
    }

    private struct Line {
        var issued: UInt64 = 0
        var serving: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    private let lines = Mutex<[Key: Line]>([:])

    /// An empty queue.
    package init() {}

    /// Takes the next place in `key`'s line. Every turn must be `run`, or the line stops there.
    package func reserve(_ key: Key) -> Turn {
        lines.withLock { lines in
            var line = lines[key] ?? Line()
            defer {
                line.issued += 1
                lines[key] = line
            }
            return Turn(key: key, number: line.issued)
        }
    }

    /// Runs `operation` once every earlier turn for its key has run, and returns its result.
    package func run<T: Sendable>(_ turn: Turn, _ operation: @Sendable () async -> T) async -> T {
        await wait(for: turn)
        let result = await operation()
        release(turn)
        return result
    }

    /// Runs `operation` after every operation already submitted for `key`, and returns its result.
    package func run<T: Sendable>(_ key: Key, _ operation: @Sendable () async -> T) async -> T {
        await run(reserve(key), operation)
    }

    private func wait(for turn: Turn) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = lines.withLock { lines -> Bool in
                guard lines[turn.key]?.serving != turn.number else { return true }
                lines[turn.key]?.waiters[turn.number] = continuation
                return false
            }
            if now { continuation.resume() }
        }
    }

    private func release(_ turn: Turn) {
        let next = lines.withLock { lines -> CheckedContinuation<Void, Never>? in
            guard var line = lines[turn.key] else { return nil }
            line.serving += 1
            if line.serving == line.issued {
                lines[turn.key] = nil
                return nil
            }
            let next = line.waiters.removeValue(forKey: line.serving)
            lines[turn.key] = line
            return next
        }
        next?.resume()
    }
}
