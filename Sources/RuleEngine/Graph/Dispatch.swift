/// Candidate rules by the cheap-to-compute keys of an event, each list in rule order.
///
/// Commands, buttons and timers are looked up by hash; the evaluator merges the few lists that
/// apply to an event instead of scanning every rule.
public struct Dispatch: Sendable, Hashable, Codable {
    /// Rules for any message.
    public var anyMessage: [Int] = []
    /// Rules by message type.
    public var byType: [String: [Int]] = [:]
    /// Rules by lowercased command.
    public var byCommand: [String: [Int]] = [:]
    /// Rules for any command.
    public var anyCommand: [Int] = []
    /// Rules on text content (equals, contains, matches): checked against every text.
    public var byText: [Int] = []
    /// Rules by button id.
    public var byButton: [String: [Int]] = [:]
    /// Rules by timer name.
    public var byTimer: [String: [Int]] = [:]
    /// Rules for delivery statuses.
    public var status: [Int] = []
    /// Rules for failed sends (`send_failed`): also tried for a `failed` status.
    public var sendFailed: [Int] = []
    /// Rules for the answers of calls and work, by result name.
    public var byResponse: [String: [Int]] = [:]
    /// Rules for failed calls and work, by result name.
    public var byCallFailure: [String: [Int]] = [:]
    /// Rules for the business's events, by event name.
    public var byEvent: [String: [Int]] = [:]

    init(rules: [RuleNode]) {
        for rule in rules {
            switch rule.trigger {
            case .anyMessage: anyMessage.append(rule.index)
            case .messageTypes(let types): for t in Set(types) { byType[t, default: []].append(rule.index) }
            case .commands(let commands, _):
                if commands.isEmpty { anyCommand.append(rule.index) }
                for c in Set(commands.map { $0.lowercased() }) { byCommand[c, default: []].append(rule.index) }
            case .textEquals, .textContains, .textMatches: byText.append(rule.index)
            case .button(let id): byButton[id, default: []].append(rule.index)
            case .timer(let name): byTimer[name, default: []].append(rule.index)
            case .status: status.append(rule.index)
            case .sendFailed: sendFailed.append(rule.index)
            case .response(let name): byResponse[name, default: []].append(rule.index)
            case .callFailed(let name): byCallFailure[name, default: []].append(rule.index)
            case .event(let name): byEvent[name, default: []].append(rule.index)
            }
        }
    }

    /// Merges sorted candidate lists into one sorted list without duplicates.
    public static func merge(_ lists: [[Int]]) -> [Int] {
        let nonEmpty = lists.filter { !$0.isEmpty }
        if nonEmpty.count <= 1 { return nonEmpty.first ?? [] }
        var positions = [Int](repeating: 0, count: nonEmpty.count)
        var result: [Int] = []
        result.reserveCapacity(nonEmpty.reduce(0) { $0 + $1.count })
        while true {
            var best: Int?
            for (i, list) in nonEmpty.enumerated() where positions[i] < list.count {
                if let current = best, current <= list[positions[i]] { continue }
                best = list[positions[i]]
            }
            guard let next = best else { return result }
            result.append(next)
            for (i, list) in nonEmpty.enumerated() where positions[i] < list.count && list[positions[i]] == next {
                positions[i] += 1
            }
        }
    }
}
