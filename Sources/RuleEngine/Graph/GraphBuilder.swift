/// Expressions and templates the shape checker parsed, by the location of their scalar.
struct CompiledParts {
    var expressions: [SourceLocation: CompiledExpression] = [:]
    var templates: [SourceLocation: CompiledTemplate] = [:]
}

/// Builds the immutable `RuleGraph` from a validated document, from the parts the checker
/// parsed: nothing is parsed twice, and a part the checker did not produce is an error, never
/// a condition silently dropped (which would make its rule always fire).
enum GraphBuilder {
    private static func node(for action: BotDocument.ActionDecl, catalog: ActionCatalog) -> ActionNode {
        let spec = catalog.specs[action.name]
        return ActionNode(
            name: action.name, arguments: action.arguments, location: action.location,
            entersStates: spec?.enteredStates(action.arguments) ?? [],
            startsTimers: spec?.startedTimers(action.arguments) ?? [])
    }

    static func build(_ document: BotDocument, into diagnostics: inout DiagnosticBag) -> RuleGraph? {
        var missing: [SourceLocation] = []
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
                condition: rule.conditionLocation.flatMap { location in
                    guard let expression = document.compiled.expressions[location] else {
                        missing.append(location)
                        return nil
                    }
                    return expression
                },
                actions: rule.actions.map { node(for: $0, catalog: document.catalog) },
                continues: rule.continues,
                fallback: rule.fallback.map { node(for: $0, catalog: document.catalog) })
        }
        var templates: [String: CompiledTemplate] = [:]
        for template in document.templates {
            templates[template.name] = document.compiled.templates[template.sourceLocation]
            if templates[template.name] == nil { missing.append(template.sourceLocation) }
        }
        for location in missing {
            diagnostics.report(
                "internal-error", "this part was not checked, so the bot is not built; please report it",
                at: location)
        }
        guard missing.isEmpty else { return nil }
        return RuleGraph(
            name: document.name,
            file: document.file,
            timeZone: document.timeZone,
            preferredStorage: document.storage,
            phoneNumberID: document.phoneNumberID,
            throughput: document.throughput,
            states: states,
            initialState: document.initialState,
            timers: document.timers.map { TimerNode(name: $0.name, duration: $0.duration, location: $0.location) },
            templates: templates,
            templateLocations: Dictionary(
                document.templates.map { ($0.name, $0.location) }, uniquingKeysWith: { first, _ in first }),
            whatsAppTemplates: Dictionary(
                document.whatsAppTemplates.map { ($0.name, $0.template) }, uniquingKeysWith: { first, _ in first }),
            sensitive: document.sensitive,
            apis: Dictionary(document.apis.map { ($0.name, $0.api) }, uniquingKeysWith: { first, _ in first }),
            vars: document.vars,
            rules: rules,
            dispatch: Dispatch(rules: rules))
    }
}
