/// One semantic check over a whole bot, reporting into a shared bag.
protocol ValidationRule {
    static func validate(_ document: BotDocument, into diagnostics: inout DiagnosticBag)
}

/// The rules the compiler runs, in order.
enum ValidationRules {
    static var all: [any ValidationRule.Type] {
        [
            UndefinedNameRule.self,
            UndefinedVariableRule.self,
            DuplicateRuleIDRule.self,
            InitialStateRule.self,
            UnreachableStateRule.self,
            StateNeverLeftRule.self,
            ShadowedCommandRule.self,
            UnusedTimerRule.self,
        ]
    }
}

extension BotDocument {
    /// The states `goto` actions move users to, with where each goto is.
    var gotoTargets: [(state: String, rule: RuleDecl)] {
        rules.flatMap { rule in
            rule.actions.compactMap { action in
                action.name == "goto" ? action.arguments["state"].string.map { ($0, rule) } : nil
            }
        }
    }
}

extension Value {
    /// The text, if this is a string.
    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}
