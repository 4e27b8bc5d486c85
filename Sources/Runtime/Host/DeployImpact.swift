public import RuleEngine

/// How many live users a new version of a bot would touch: users in a removed state, with a
/// removed timer running, or holding data under a removed key. Reads, changes nothing.
public struct DeployImpact: Sendable, Hashable, Codable {
    /// Users per removed state.
    public var usersInRemovedStates: [String: Int] = [:]
    /// Users per removed timer they have running.
    public var usersWithRemovedTimers: [String: Int] = [:]
    /// Users per removed key they hold data under.
    public var usersWithRemovedKeys: [String: Int] = [:]
    /// Users looked at.
    public var usersChecked = 0

    /// The impact of `diff` on `bot`'s users in `storage`.
    public static func measure(
        _ diff: GraphDiff, bot: String, storage: any BotStorage, now: Double, limit: Int = 100_000
    ) async throws -> DeployImpact {
        var impact = DeployImpact()
        guard !diff.isSafe else { return impact }
        let states = Set(diff.removedStates)
        let timers = Set(diff.removedTimers)
        let keys = Set(diff.removedKeys)
        for user in try await storage.users(bot: bot, limit: limit) {
            let snapshot = try await storage.load(bot: bot, userID: user, now: now)
            impact.usersChecked += 1
            if let state = snapshot.values[.machine]?.value["name"].string, states.contains(state) {
                impact.usersInRemovedStates[state, default: 0] += 1
            }
            for name in snapshot.timers.keys where timers.contains(name) {
                impact.usersWithRemovedTimers[name, default: 0] += 1
            }
            for key in Set(snapshot.values.keys.map(\.description)) where keys.contains(key) {
                impact.usersWithRemovedKeys[key, default: 0] += 1
            }
        }
        return impact
    }
}
