import Foundation

/// Asks `check` every `interval` until it gives a value or `seconds` have passed, and always
/// once more after the deadline: on two cores a parallel test run can stall a test for longer
/// than its deadline, and what it waited for may be there when it wakes.
func poll<T>(seconds: Double, every interval: Duration = .milliseconds(20), _ check: () async throws -> T?)
    async throws -> T?
{
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if let value = try await check() { return value }
        if Date() >= deadline { return nil }
        try await Task.sleep(for: interval)
    }
}
