import Synchronization

/// Thread-safe counters behind `CacheStatistics`.
final class StatisticsCounter: Sendable {
    private let counts = Mutex(CacheStatistics())

    func load(found: Int) {
        counts.withLock {
            $0.operations += 1
            if found > 0 { $0.hits += 1 } else { $0.misses += 1 }
        }
    }

    func operation() {
        counts.withLock { $0.operations += 1 }
    }

    func error() {
        counts.withLock { $0.errors += 1 }
    }

    var snapshot: CacheStatistics { counts.withLock { $0 } }

    /// Runs `body`, counting a thrown error (a refused repeat of a handled event is no failure).
    func counting<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            count(error)
            throw error
        }
    }

    private func count(_ error: any Error) {
        if let error = error as? RuntimeError, error.isAlreadyHandled { return }
        self.error()
    }
}
