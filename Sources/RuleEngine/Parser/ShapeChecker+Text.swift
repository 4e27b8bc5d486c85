import Foundation

extension ShapeChecker {
    /// Checks a text scalar by what it means; `offset` is where `text` starts inside the scalar.
    mutating func checkText(_ text: String, _ kind: TextKind, _ node: SyntaxNode, offset: Int = 0) {
        switch kind {
        case .plain:
            break
        case .name:
            if text.isEmpty || !text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) {
                diagnostics.report(
                    "invalid-name", "'\(text)' is not a valid name; use letters, digits, '_' and '-'", at: node.location
                )
            }
        case .template(let maxLength, let tooLongId):
            var parser = TemplateParser(text)
            do {
                let result = try parser.parse()
                collect(result.references, result.calls, node, offset: offset)
                let template = CompiledTemplate(source: text, segments: result.segments)
                if offset == 0 { compiled.templates[node.location] = template }
                if let maxLength, template.literalLength > maxLength {
                    diagnostics.report(
                        tooLongId, "text is \(template.literalLength) characters; WhatsApp allows at most \(maxLength)",
                        at: node.location)
                }
            } catch {
                diagnostics.report(
                    "invalid-template", error.message, at: locator.location(of: offset + error.offset, in: node))
            }
        case .expression:
            var source = text
            var start = offset
            if source.hasPrefix("=") {
                source.removeFirst()
                start += 1
            }
            var parser = ExpressionParser(source)
            warnIfCommandHasCapitals(source, node: node, offset: start)
            do {
                let parsed = try parser.parse()
                collect(parsed.references, parsed.calls, node, offset: start)
                if offset == 0 {
                    compiled.expressions[node.location] = CompiledExpression(source: source, root: parsed.expression)
                }
                for (pattern, patternOffset) in parsed.patterns {
                    checkRegex(pattern, at: locator.location(of: start + patternOffset, in: node))
                }
            } catch {
                // A condition written like a template: `{{ user.count }} > 3`.
                let templated = source.contains("{{")
                let unwrapped = source.replacingOccurrences(of: "{{", with: "").replacingOccurrences(of: "}}", with: "")
                    .split(whereSeparator: \.isWhitespace).joined(separator: " ")
                diagnostics.report(
                    "invalid-expression", error.message, at: locator.location(of: start + error.offset, in: node),
                    suggestion: templated ? unwrapped : nil,
                    notes: templated
                        ? ["conditions and =values are expressions: write names without {{ }}, which are for texts"]
                        : [])
            }
        case .duration:
            if let seconds = DurationText.unbounded(text), seconds > DurationText.maximumSeconds {
                diagnostics.report(
                    "invalid-duration", "'\(text)' is longer than the longest duration, 100 years", at: node.location)
                return
            }
            guard let seconds = DurationText.seconds(text), seconds > 0 else {
                diagnostics.report(
                    "invalid-duration", "'\(text)' is not a duration; write it like 15s, 10m, 1h30m or 7d",
                    at: node.location)
                return
            }
        case .regex:
            checkRegex(text, at: node.location)
        case .stateName, .timerName, .templateName, .whatsAppTemplateName, .apiName, .resultName:
            if let reference = kind.reference {
                names.append(.init(kind: reference, name: text, location: node.location))
            }
        case .durationOrExpression:
            checkText(text, text.hasPrefix("=") ? .expression : .duration, node, offset: offset)
        case .timeZone:
            if TimeZone(identifier: text) == nil {
                diagnostics.report(
                    "invalid-timezone", "unknown time zone '\(text)'", at: node.location,
                    suggestion: Suggestion.closest(to: text, in: TimeZone.knownTimeZoneIdentifiers))
            }
        case .command:
            checkCommand(text, node)
        case .storageKey:
            checkStorageKey(text, node)
        case .storageURL:
            if StorageLocation(text) == nil {
                diagnostics.report(
                    "invalid-storage",
                    "'\(text)' is not a storage; use sqlite:PATH, json:DIR, memory or redis://HOST:PORT",
                    at: node.location)
            }
        case .trigger:
            if text.hasPrefix("/") {
                checkCommand(text, node)
            } else if !BotShape.triggerWords.contains(text), !BotShape.messageTypes.contains(text) {
                let words = BotShape.triggerWords + BotShape.messageTypes
                diagnostics.report(
                    "unknown-trigger",
                    "unknown trigger '\(text)'; use a /COMMAND, \(BotShape.triggerWords.joined(separator: ", ")) or a message type",
                    at: node.location, suggestion: Suggestion.closest(to: text, in: words))
            }
        }
    }

    private mutating func checkRegex(_ pattern: String, at location: SourceLocation) {
        do {
            _ = try LinearRegex(pattern)
        } catch {
            diagnostics.report(
                "invalid-regex", "'\(pattern)' is not a regular expression RuleBot can run: \(error.reason)",
                at: location,
                notes: [
                    "patterns are matched in linear time (RE2 syntax): backreferences (\\1) and look-around ((?=, (?!, (?<=) are not available"
                ])
        }
    }

    private mutating func checkCommand(_ text: String, _ node: SyntaxNode) {
        if !text.hasPrefix("/") || text.count < 2 || text.contains(where: \.isWhitespace) {
            diagnostics.report(
                "invalid-command", "'\(text)' is not a command; a command is '/' and a word, such as /HISTORY",
                at: node.location)
        }
    }

    private mutating func checkStorageKey(_ text: String, _ node: SyntaxNode) {
        let path = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let scopes = ["user", "table", "state"]
        guard path.count >= 2, scopes.contains(path[0]), path.allSatisfy({ !$0.isEmpty }) else {
            let suggestion =
                path.count >= 2
                ? Suggestion.closest(to: path[0], in: scopes).map { ([$0] + path.dropFirst()).joined(separator: ".") }
                : nil
            diagnostics.report(
                "invalid-storage-key", "'\(text)' is not a storage key; write user.NAME, table.NAME or state.NAME",
                at: node.location, suggestion: suggestion)
            return
        }
        let isWrite = !(currentAction.flatMap { catalog.specs[$0] }?.deletesKeys ?? false)
        if path[0] == "state", StateFields.builtIn.contains(path[1]), path.count == 2 || isWrite {
            diagnostics.report(
                "invalid-storage-key",
                "'state.\(path[1])' is kept by the engine and cannot be written; use goto to change state",
                at: node.location)
            return
        }
        storageKeys.append(.init(path: path, location: node.location, isWrite: isWrite))
    }

    private mutating func collect(
        _ references: [ParsedExpression.Reference], _ calls: [ParsedExpression.Call], _ node: SyntaxNode, offset: Int
    ) {
        let locations = locator.locations(
            of: references.map { offset + $0.offset } + calls.map { offset + $0.offset }, in: node)
        for (reference, location) in zip(references, locations) {
            variables.append(.init(path: reference.path, location: location))
        }
        for (call, location) in zip(calls, locations[references.count...]) {
            guard let function = ExpressionFunction.all[call.name] else {
                diagnostics.report(
                    "unknown-function", "unknown function '\(call.name)'", at: location,
                    suggestion: Suggestion.closest(to: call.name, in: ExpressionFunction.all.keys),
                    notes: ["the functions: " + ExpressionFunction.all.keys.sorted().joined(separator: ", ")])
                continue
            }
            if call.argumentCount < function.minArguments || call.argumentCount > function.maxArguments {
                diagnostics.report(
                    "wrong-argument-count",
                    "'\(call.name)' takes \(function.minArguments == function.maxArguments ? "\(function.minArguments)" : "\(function.minArguments) to \(function.maxArguments)") arguments, found \(call.argumentCount)",
                    at: location, notes: [function.summary])
            }
        }
    }

    /// `message.command` is lowercase, so comparing it with "/BOT" is never equal: warn, offer "/bot".
    private mutating func warnIfCommandHasCapitals(_ source: String, node: SyntaxNode, offset: Int) {
        guard source.contains("message.command") else { return }
        let pattern = /message\.command\s*(==|!=)\s*(["'])([^"']*)(["'])/
        for match in source.matches(of: pattern) {
            let literal = String(match.output.3)
            guard literal != literal.lowercased() else { continue }
            let quote = match.output.2
            diagnostics.report(
                "command-case",
                "message.command is always lowercase, so it never equals '\(literal)'",
                at: locator.location(
                    of: offset + source.distance(from: source.startIndex, to: match.range.lowerBound), in: node),
                severity: .warning,
                suggestion: "message.command \(match.output.1) \(quote)\(literal.lowercased())\(quote)")
        }
    }
}

/// Fields of `state` that the engine maintains.
public enum StateFields {
    /// `state.name` (the current state) and `state.entered_at` (when the user entered it).
    public static let builtIn: Set<String> = ["name", "entered_at"]

}

extension TextKind {
    /// The kind of declaration a name of this kind must match, for the names that refer to one.
    fileprivate var reference: ShapeChecker.NamedReference.Kind? {
        switch self {
        case .stateName: .state
        case .timerName: .timer
        case .templateName: .template
        case .whatsAppTemplateName: .whatsAppTemplate
        case .apiName: .api
        case .resultName: .result
        default: nil
        }
    }
}
