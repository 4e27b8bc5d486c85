import Foundation
import RuleEngine
import Runtime
import Testing

/// Dead letters on every backend: kept across a reopen, newest first, bounded.
struct DeadLetterConformanceTests {
    func letter(_ id: String, kind: DeadLetter.Kind = .event) -> DeadLetter {
        DeadLetter(
            kind: kind, id: id, bot: "bot", userID: "u1", reason: "reason of \(id)", at: 1000,
            payload: .object(["text": .string("payload of \(id) 😀")]))
    }

    @Test(arguments: Backend.available)
    func keptNewestFirstAcrossAReopen(backend: Backend) async throws {
        let (storage, reopen) = try backend.make()
        #expect(try await storage.deadLetterCount() == 0)
        try await storage.quarantine([letter("a"), letter("b", kind: .message)])
        try await storage.quarantine([letter("c")])
        let reopened = try reopen()
        #expect(try await reopened.deadLetterCount() == 3)
        #expect(try await reopened.deadLetters(limit: 10) == [letter("c"), letter("b", kind: .message), letter("a")])
        #expect(try await reopened.deadLetters(limit: 2).map(\.id) == ["c", "b"])
    }

    @Test(arguments: Backend.available)
    func keepsOnlyTheNewestUpToCapacity(backend: Backend) async throws {
        let storage = try backend.make().storage
        try await storage.quarantine((0..<DeadLetter.capacity).map { letter("old\($0)") })
        try await storage.quarantine([letter("new1"), letter("new2")])
        #expect(try await storage.deadLetterCount() == DeadLetter.capacity)
        #expect(try await storage.deadLetters(limit: 3).map(\.id) == ["new2", "new1", "old\(DeadLetter.capacity - 1)"])
    }
}
