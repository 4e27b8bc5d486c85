import Synchronization

@testable import Server

/// A `LoopTrigger` a test drives: `round()` lets the loop run one round and returns once the loop
/// has finished it (asked for the next); `finish()` ends the loop.
final class ManualTrigger: LoopTrigger {
    private struct State {
        var loop: CheckedContinuation<Bool, Never>?
        var tester: CheckedContinuation<Void, Never>?
        var queued = 0
        var inRound = false
        var finished = false
    }

    private let state = Mutex(State())

    func next() async -> Bool {
        await withCheckedContinuation { (loop: CheckedContinuation<Bool, Never>) in
            let (done, answer) = state.withLock { state -> (CheckedContinuation<Void, Never>?, Bool?) in
                var done: CheckedContinuation<Void, Never>?
                if state.inRound {
                    state.inRound = false
                    done = state.tester
                    state.tester = nil
                }
                if state.finished { return (done, false) }
                if state.queued > 0 {
                    state.queued -= 1
                    state.inRound = true
                    return (done, true)
                }
                state.loop = loop
                return (done, nil)
            }
            done?.resume()
            if let answer { loop.resume(returning: answer) }
        }
    }

    /// Runs one round of the loop and returns when it is over.
    func round() async {
        await withCheckedContinuation { (tester: CheckedContinuation<Void, Never>) in
            let loop = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                state.tester = tester
                guard let loop = state.loop else {
                    state.queued += 1
                    return nil
                }
                state.loop = nil
                state.inRound = true
                return loop
            }
            loop?.resume(returning: true)
        }
    }

    /// Ends the loop at its next `next()`.
    func finish() {
        let loop = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            state.finished = true
            defer { state.loop = nil }
            return state.loop
        }
        loop?.resume(returning: false)
    }
}
