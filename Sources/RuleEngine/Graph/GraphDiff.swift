/// What a new version of a bot removes or renames compared with the running one: the states,
/// timers and stored keys live users may still hold. `rulebot diff` and a dry-run reload show
/// it before anything changes.
public struct GraphDiff: Sendable, Hashable, Codable {
    /// States the new version no longer declares: their users go back to the initial state.
    public var removedStates: [String]
    /// New states.
    public var addedStates: [String]
    /// Timers the new version no longer declares: running ones are cancelled.
    public var removedTimers: [String]
    /// New timers.
    public var addedTimers: [String]
    /// Stored keys (`user.cart`) the new version no longer writes: their data stays, unread.
    public var removedKeys: [String]
    /// Keys only the new version writes.
    public var addedKeys: [String]
    /// Removed names with an added one close enough to be a rename: `old → new`.
    public var likelyRenames: [String]

    /// The difference from `old` to `new`.
    public init(from old: RuleGraph, to new: RuleGraph) {
        func split(_ a: [String], _ b: [String]) -> (removed: [String], added: [String]) {
            (Set(a).subtracting(b).sorted(), Set(b).subtracting(a).sorted())
        }
        (removedStates, addedStates) = split(old.states.map(\.name), new.states.map(\.name))
        (removedTimers, addedTimers) = split(old.timers.map(\.name), new.timers.map(\.name))
        (removedKeys, addedKeys) = split(Self.writtenKeys(old), Self.writtenKeys(new))
        likelyRenames = [(removedStates, addedStates), (removedTimers, addedTimers), (removedKeys, addedKeys)]
            .flatMap { removed, added in
                removed.compactMap { name in Suggestion.closest(to: name, in: added).map { "\(name) → \($0)" } }
            }
    }

    /// Whether the new version removes nothing live users may hold.
    public var isSafe: Bool { removedStates.isEmpty && removedTimers.isEmpty && removedKeys.isEmpty }

    /// The stored keys a graph's actions write, as `scope.name`.
    static func writtenKeys(_ graph: RuleGraph) -> [String] {
        var keys = Set<String>()
        for action in graph.rules.flatMap(\.actions) {
            for key in [action.arguments["key"]] + action.arguments["keys"].items {
                guard let text = key.string else { continue }
                let parts = text.split(separator: ".")
                if parts.count >= 2 { keys.insert("\(parts[0]).\(parts[1])") }
            }
        }
        return keys.sorted()
    }
}
