/// Checks a YAML tree against a `Shape`, reporting every mismatch and collecting the names
/// the file refers to (states, timers, templates, variables, stored keys) for later passes.
package struct ShapeChecker {
    /// A name that must be declared somewhere in the bot.
    struct NamedReference {
        enum Kind: String {
            case state, timer, template, whatsAppTemplate, api, result
        }

        var kind: Kind
        var name: String
        var location: SourceLocation
    }

    /// A path an expression or template reads, such as `user.profile.name`.
    struct VariableReference {
        var path: [String]
        var location: SourceLocation
    }

    /// A stored key written (or deleted) by an action.
    struct StorageKey {
        var path: [String]
        var location: SourceLocation
        var isWrite: Bool
    }

    let catalog: ActionCatalog
    let locator: ScalarLocator
    package var diagnostics = DiagnosticBag()
    var names: [NamedReference] = []
    var variables: [VariableReference] = []
    var storageKeys: [StorageKey] = []
    /// Expressions and templates parsed while checking, by the location of their scalar, so the
    /// graph builder uses what was checked instead of parsing the text a second time.
    var compiled = CompiledParts()
    /// The action whose arguments are being checked, which decides whether a storage key is a write.
    var currentAction: String?

    package init(catalog: ActionCatalog, locator: ScalarLocator) {
        self.catalog = catalog
        self.locator = locator
    }

    package mutating func check(_ node: SyntaxNode, against shape: Shape) {
        switch shape {
        case .text(let kind):
            guard let text = expectScalar(node, "text") else { return }
            warnIfAmbiguous(node, text)
            checkText(text, kind, node)
        case .integer(let minimum):
            guard let text = expectScalar(node, "a whole number") else { return }
            guard let value = Int(text), !node.isQuoted, !hasLeadingZero(text) else {
                return reportNumber(node, text, expected: "a whole number")
            }
            if let minimum, value < minimum {
                diagnostics.report(
                    "invalid-value", "\(value) is too small; the least allowed is \(minimum)", at: node.location)
            }
        case .number:
            guard let text = expectScalar(node, "a number") else { return }
            if Double(text) == nil || node.isQuoted || hasLeadingZero(text) {
                reportNumber(node, text, expected: "a number")
            }
        case .boolean:
            guard let text = expectScalar(node, "true or false") else { return }
            checkBoolean(node, text)
        case .choice(let words):
            guard let text = expectScalar(node, "one of \(words.joined(separator: ", "))") else { return }
            if !words.contains(text) {
                diagnostics.report(
                    "invalid-value", "'\(text)' is not one of: \(words.joined(separator: ", "))", at: node.location,
                    suggestion: Suggestion.closest(to: text, in: words))
            }
        case .list(let itemShape, let maxItems, let tooManyId):
            guard let items = node.items else { return wrongType(node, expected: "a list") }
            if let maxItems, items.count > maxItems {
                diagnostics.report(
                    tooManyId, "at most \(maxItems) allowed here, found \(items.count)", at: items[maxItems].location)
            }
            for item in items { check(item, against: itemShape) }
        case .record(let record):
            checkRecord(node, record)
        case .dictionary(let keyKind, let value):
            if node.isNull { return }
            guard let pairs = node.pairs else { return wrongType(node, expected: "a mapping") }
            for pair in pairs where !isRenamedDuplicate(pair.key) {
                if let key = expectScalar(pair.key, "a name") { checkText(key, keyKind, pair.key) }
                check(pair.value, against: value)
            }
        case .alternatives(let shapes):
            guard let chosen = Self.choose(shapes, for: node) else {
                return wrongType(node, expected: shapes.map(\.formName).joined(separator: " or "))
            }
            check(node, against: chosen)
        case .none:
            if !node.isNull { wrongType(node, expected: "nothing (this action takes no arguments)") }
        case .data:
            checkData(node)
        case .actions:
            checkActions(node)
        }
    }

    private mutating func checkRecord(_ node: SyntaxNode, _ record: RecordShape) {
        let pairs: [SyntaxNode.Pair]
        if node.isNull {
            pairs = []
        } else if let p = node.pairs {
            pairs = p
        } else {
            return wrongType(node, expected: "a mapping")
        }
        for pair in pairs where !isRenamedDuplicate(pair.key) {
            guard let key = pair.key.scalar else { return wrongType(pair.key, expected: "a key") }
            guard let field = record.field(key) else {
                diagnostics.report(
                    "unknown-key", "unknown key '\(key)'", at: pair.key.location,
                    suggestion: Suggestion.closest(to: key, in: record.fields.map(\.name)),
                    notes: ["allowed here: \(record.fields.map(\.name).joined(separator: ", "))"])
                continue
            }
            if let replacement = field.replacement {
                let message =
                    present(replacement, in: pairs)
                    ? "'\(key)' and '\(replacement)' are the same key; keep '\(replacement)'"
                    : "'\(key)' is now called '\(replacement)'"
                diagnostics.report(
                    "deprecated-key", message, at: pair.key.location, severity: .warning, suggestion: replacement)
            }
            check(pair.value, against: field.shape)
        }
        let present = Set(pairs.compactMap { $0.key.scalar })
        for field in record.fields where field.isRequired && !present.contains(field.name) {
            diagnostics.report(
                "missing-key", "missing required key '\(field.name)'", at: node.location,
                notes: [field.summary].filter { !$0.isEmpty })
        }
        if !record.exactlyOneOf.isEmpty {
            let given = record.exactlyOneOf.filter(present.contains)
            if given.isEmpty {
                diagnostics.report(
                    "missing-key", "expected one of: \(record.exactlyOneOf.joined(separator: ", "))", at: node.location)
            } else if given.count > 1 {
                diagnostics.report(
                    "conflicting-keys", "use only one of \(given.map { "'\($0)'" }.joined(separator: ", "))",
                    at: node.location)
            }
        }
        for group in record.exclusiveGroups {
            let together = group.filter(present.contains)
            if together.count > 1 {
                diagnostics.report(
                    "conflicting-keys",
                    "use only one of \(together.map { "'\($0)'" }.joined(separator: ", ")); a message cannot have both",
                    at: node.location)
            }
        }
        if !record.oneOrMoreOf.isEmpty, !record.oneOrMoreOf.contains(where: present.contains) {
            diagnostics.report(
                "missing-key", "expected at least one of: \(record.oneOrMoreOf.joined(separator: ", "))",
                at: node.location)
        }
    }

    private func present(_ key: String, in pairs: [SyntaxNode.Pair]) -> Bool {
        pairs.contains { $0.key.scalar == key }
    }

    private mutating func checkActions(_ node: SyntaxNode) {
        guard let items = node.items else { return wrongType(node, expected: "a list of actions") }
        if items.isEmpty {
            diagnostics.report("missing-key", "a rule needs at least one action", at: node.location)
        }
        for item in items {
            let name: String
            let arguments: SyntaxNode
            let nameNode: SyntaxNode
            if let word = item.scalar, !item.isNull {
                (name, arguments, nameNode) = (
                    word, SyntaxNode(kind: .scalar("", style: .plain), location: item.location), item
                )
            } else if let pairs = item.pairs, let first = pairs.first, let word = first.key.scalar {
                if pairs.count > 1 {
                    let extra = pairs.dropFirst().compactMap { $0.key.scalar }.map { "'\($0)'" }.joined(separator: ", ")
                    diagnostics.report(
                        "invalid-action", "an action has exactly one name; \(extra) must be indented under '\(word)'",
                        at: pairs[1].key.location)
                }
                (name, arguments, nameNode) = (word, first.value, first.key)
            } else {
                wrongType(item, expected: "an action such as '- reply: Hello'")
                continue
            }
            guard let spec = catalog.specs[name] else {
                diagnostics.report(
                    "unknown-action", "unknown action '\(name)'", at: nameNode.location,
                    suggestion: Suggestion.closest(to: name, in: catalog.names),
                    notes: ["the actions: " + catalog.names.sorted().joined(separator: ", ")])
                continue
            }
            currentAction = name
            check(arguments, against: spec.arguments)
            checkMessage(name, arguments)
            currentAction = nil
        }
    }

    private mutating func checkData(_ node: SyntaxNode) {
        switch node.kind {
        case .scalar(let text, let style):
            if style == .plain { warnIfAmbiguous(node, text, inData: true) }
            if text.hasPrefix("=") {
                checkText(String(text.dropFirst()), .expression, node, offset: 1)
            } else if text.contains("{{") {
                checkText(text, .template(), node)
            }
        case .mapping(let pairs):
            for pair in pairs { checkData(pair.value) }
        case .sequence(let items):
            for item in items { checkData(item) }
        }
    }

    // MARK: - Helpers

    mutating func expectScalar(_ node: SyntaxNode, _ expected: String) -> String? {
        guard let text = node.scalar, !node.isNull else {
            wrongType(node, expected: expected)
            return nil
        }
        return text
    }

    mutating func wrongType(_ node: SyntaxNode, expected: String) {
        diagnostics.report("wrong-type", "expected \(expected), found \(node.kindName)", at: node.location)
    }

    private func isRenamedDuplicate(_ key: SyntaxNode) -> Bool {
        key.scalar?.hasPrefix(DuplicateKeyScanner.ignoredKeyPrefix) == true
    }

    private func hasLeadingZero(_ text: String) -> Bool {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        return digits.count > 1 && digits.first == "0" && digits.dropFirst().first?.isNumber == true
    }

    private mutating func reportNumber(_ node: SyntaxNode, _ text: String, expected: String) {
        if hasLeadingZero(text), !node.isQuoted {
            diagnostics.report(
                "yaml-ambiguous-scalar", "'\(text)' has a leading zero, which YAML 1.1 reads as octal or as text",
                at: node.location, suggestion: String(Int(text) ?? 0))
        } else {
            diagnostics.report("wrong-type", "expected \(expected), found '\(text)'", at: node.location)
        }
    }

    private static let yaml11Booleans: Set<String> = ["yes", "no", "on", "off", "y", "n"]

    private mutating func checkBoolean(_ node: SyntaxNode, _ text: String) {
        let lowered = text.lowercased()
        if !node.isQuoted, lowered == "true" || lowered == "false" { return }
        if Self.yaml11Booleans.contains(lowered) {
            let meant = ["yes", "on", "y"].contains(lowered) ? "true" : "false"
            diagnostics.report(
                "yaml-ambiguous-scalar", "'\(text)' is a boolean only in YAML 1.1; write true or false",
                at: node.location,
                suggestion: meant)
        } else {
            diagnostics.report("wrong-type", "expected true or false, found '\(text)'", at: node.location)
        }
    }

    /// Warns about a plain scalar other YAML tools read differently. In stored data, `true` and
    /// `false` are booleans everywhere and draw nothing; `yes`, `off` or `False` are text here (and
    /// text is truthy), so the fix-it offers the boolean they look like.
    private mutating func warnIfAmbiguous(_ node: SyntaxNode, _ text: String, inData: Bool = false) {
        guard !node.isQuoted else { return }
        let lowered = text.lowercased()
        if inData, text == "true" || text == "false" { return }
        if inData, Self.yaml11Booleans.contains(lowered) || lowered == "true" || lowered == "false" {
            let boolean = ["yes", "on", "y", "true"].contains(lowered) ? "true" : "false"
            diagnostics.report(
                "yaml-ambiguous-scalar",
                "unquoted '\(text)' is stored as text, which is truthy, though many YAML tools read it as a boolean; "
                    + "write \(boolean) for a boolean, or quote it for text",
                at: node.location, severity: .warning, suggestion: boolean)
        } else if Self.yaml11Booleans.contains(lowered) || lowered == "true" || lowered == "false" {
            diagnostics.report(
                "yaml-ambiguous-scalar", "unquoted '\(text)' is read as a boolean by many YAML tools; quote it",
                at: node.location, severity: .warning, suggestion: "\"\(text)\"")
        } else if hasLeadingZero(text), text.allSatisfy(\.isNumber) {
            diagnostics.report(
                "yaml-ambiguous-scalar", "unquoted '\(text)' is read as a number by many YAML tools; quote it",
                at: node.location, severity: .warning, suggestion: "\"\(text)\"")
        }
    }

    static func choose(_ shapes: [Shape], for node: SyntaxNode) -> Shape? {
        shapes.first { shape in
            switch (shape, node.kind) {
            case (.none, _): node.isNull
            case (.text, .scalar), (.integer, .scalar), (.number, .scalar), (.boolean, .scalar), (.choice, .scalar):
                !node.isNull
            case (.record, .mapping), (.dictionary, .mapping), (.list, .sequence), (.actions, .sequence), (.data, _):
                true
            case (.alternatives(let inner), _): choose(inner, for: node) != nil
            default: false
            }
        }
    }
}

extension Shape {
    /// How the shape is named in "expected X" messages.
    var formName: String {
        switch self {
        case .text: "text"
        case .integer: "a whole number"
        case .number: "a number"
        case .boolean: "true or false"
        case .choice(let words): "one of \(words.joined(separator: ", "))"
        case .list: "a list"
        case .record, .dictionary: "a mapping"
        case .alternatives(let shapes): shapes.map(\.formName).joined(separator: " or ")
        case .none: "nothing"
        case .data: "a value"
        case .actions: "a list of actions"
        }
    }
}
