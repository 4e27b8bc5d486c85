/// Bounds on what one event's evaluation may do, so no user's data or message can make a bot
/// run away with a worker or flood a user with messages. See README, "Limits and safety".
public struct RuntimeLimits: Sendable, Hashable {
    /// Characters of one rendered text (a reply, a header, a stored template value); the rest is
    /// cut with a trace warning. 65,536 is 16 WhatsApp text messages.
    public var replyCharacters: Int
    /// Template steps (text pieces, tags and loop turns) one event may render in all; past it the
    /// event is dropped with its reason, as a bot error is, and never retried.
    public var evaluationSteps: Int

    /// Creates limits.
    public init(replyCharacters: Int = 65_536, evaluationSteps: Int = 1_000_000) {
        self.replyCharacters = replyCharacters
        self.evaluationSteps = evaluationSteps
    }

    /// The defaults.
    public static let `default` = RuntimeLimits()
}

/// What is left of one evaluation's budget, and the warnings met while rendering.
///
/// A class so templates rendered from non-mutating places (`ActionContext.render`) share one
/// count; an evaluation runs on one task, and its budget is never shared with another.
final class EvaluationBudget: @unchecked Sendable {
    private(set) var remainingSteps: Int
    /// Set when the steps ran out: the reason the event is dropped.
    private(set) var exhausted: String?
    /// Texts cut to fit, for the trace.
    var warnings: [String] = []
    let limits: RuntimeLimits

    init(_ limits: RuntimeLimits) {
        self.limits = limits
        self.remainingSteps = limits.evaluationSteps
    }

    /// Spends one step; false once the budget is gone.
    func spend() -> Bool {
        guard remainingSteps > 0 else {
            if exhausted == nil {
                exhausted =
                    "the event needed more than \(limits.evaluationSteps) template steps (see RuntimeLimits.evaluationSteps)"
            }
            return false
        }
        remainingSteps -= 1
        return true
    }
}
