/// Builds the immutable `RuleGraph` from a validated document.
enum GraphBuilder {
    static func build(_ document: BotDocument) -> RuleGraph {
        let states =
            document.states.isEmpty
            ? [
                StateNode(
                    name: document.initialState, timeToLive: nil,
                    location: SourceLocation(file: document.file, line: 1, column: 1))
            ]
            : document.states.map { StateNode(name: $0.name, timeToLive: $0.timeToLive, location: $0.location) }
        let rules = document.rules.enumerated().map { index, rule in
            RuleNode(
                id: rule.id,
                index: index,
                location: rule.location,
                trigger: rule.trigger ?? .anyMessage,
                states: rule.states.map(\.name),
                condition: rule.condition.flatMap {
                    try? CompiledExpression($0.hasPrefix("=") ? String($0.dropFirst()) : $0)
                },
                actions: rule.actions.map { ActionNode(name: $0.name, arguments: $0.arguments, location: $0.location) },
                continues: rule.continues)
        }
        var templates: [String: CompiledTemplate] = [:]
        for template in document.templates {
            templates[template.name] = try? CompiledTemplate(template.source)
        }
        return RuleGraph(
            name: document.name,
            file: document.file,
            timeZone: document.timeZone,
            preferredStorage: document.storage,
            phoneNumberID: document.phoneNumberID,
            states: states,
            initialState: document.initialState,
            timers: document.timers.map { TimerNode(name: $0.name, duration: $0.duration, location: $0.location) },
            templates: templates,
            vars: document.vars,
            rules: rules,
            dispatch: Dispatch(rules: rules))
    }
}
