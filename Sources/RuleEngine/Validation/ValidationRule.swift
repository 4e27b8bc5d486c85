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
            TemplateParametersRule.self,
            ServiceWindowRule.self,
            APIDeclarationRule.self,
        ]
    }
}

extension BotDocument {
    /// The states actions move users to (by their declared effects), with the rule of each.
    var gotoTargets: [(state: String, rule: RuleDecl)] {
        rules.flatMap { rule in
            rule.actions.flatMap { action in
                (catalog.specs[action.name]?.enteredStates(action.arguments) ?? []).map { ($0, rule) }
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
