import Synchronization
import Testing

@testable import Server

struct InFlightTests {
    final class Probe: Sendable {
        struct State {
            var running = 0
            var most = 0
            var started: [Int] = []
        }
        let state = Mutex(State())
    }

    @Test func runsEverythingWithBoundedConcurrencyAndDrains() async {
        let inFlight = InFlight(limit: 3)
        let probe = Probe()
        for index in 0..<5000 {
            inFlight.spawn {
                probe.state.withLock {
                    $0.running += 1
                    $0.most = max($0.most, $0.running)
                    $0.started.append(index)
                }
                await Task.yield()
                probe.state.withLock { $0.running -= 1 }
            }
        }
        await inFlight.drain()
        let state = probe.state.withLock { $0 }
        #expect(state.started.count == 5000)
        #expect(state.running == 0)
        #expect(state.most <= 3)
        #expect(Set(state.started) == Set(0..<5000))
        #expect(inFlight.count == 0)
    }

    @Test func runReturnsOnceItsWorkHasRunOnAWorker() async {
        let inFlight = InFlight(limit: 1)
        let probe = Probe()
        await inFlight.run {
            for _ in 0..<100 { await Task.yield() }
            probe.state.withLock { $0.started.append(1) }
        }
        #expect(probe.state.withLock { $0.started } == [1])
    }

    @Test func oneWorkerTakesItemsFirstInFirstOut() async {
        let inFlight = InFlight(limit: 1)
        let probe = Probe()
        for index in 0..<3000 {
            inFlight.spawn {
                probe.state.withLock { $0.started.append(index) }
                await Task.yield()
            }
        }
        await inFlight.drain()
        #expect(probe.state.withLock { $0.started } == Array(0..<3000))
    }

    @Test func aBurstOfWebhooksNarrowsProcessingUntilItIsOver() async throws {
        let inFlight = InFlight(limit: 4, burst: 2, workersInBurst: 1)
        let (gate, open) = AsyncStream<Void>.makeStream()
        let held = (0..<2).map { _ in
            Task { await inFlight.accepting { for await _ in gate { break } } }
        }
        while inFlight.acceptingCount < 2 { await Task.yield() }

        let probe = Probe()
        func work() -> InFlight.Work {
            {
                probe.state.withLock {
                    $0.running += 1
                    $0.most = max($0.most, $0.running)
                }
                for _ in 0..<20 { await Task.yield() }
                probe.state.withLock { $0.running -= 1 }
            }
        }
        for _ in 0..<50 { inFlight.spawn(work()) }
        while inFlight.count > 0 { await Task.yield() }
        #expect(probe.state.withLock { $0.most } == 1, "one worker while the burst lasts")

        open.finish()
        for task in held { await task.value }
        #expect(inFlight.acceptingCount == 0)
        for _ in 0..<200 { inFlight.spawn(work()) }
        await inFlight.drain()
        #expect(probe.state.withLock { $0.most } > 1, "all workers once it is over")
        #expect(probe.state.withLock { $0.most } <= 4)
    }

    @Test func drainReturnsAtOnceWhenIdle() async {
        let inFlight = InFlight()
        await inFlight.drain()
        #expect(inFlight.count == 0)
    }
}
