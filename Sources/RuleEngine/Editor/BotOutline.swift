/// What an editor asks of a bot file while it is typed: the names it declares and where,
/// completions for the value being typed, the declaration of a name, and docs for a word.
/// Pure: text in, answers out; positions are 1-based lines and columns, like diagnostics.
public struct BotOutline: Sendable {
    /// A declared name and where its key is.
    public struct Declaration: Sendable, Hashable {
        /// What it is: `state`, `timer`, `text`, `whatsapp template` or `api`.
        public var kind: String
        /// Its name.
        public var name: String
        /// Where the name is written.
        public var location: SourceLocation
    }

    /// Every declared state, timer, named text, WhatsApp template and API.
    public let declarations: [Declaration]
    let lines: [Substring]
    let catalog: ActionCatalog

    /// The outline of `text`; an unreadable file has no declarations.
    public init(text: String, file: String, catalog: ActionCatalog = .builtIn) {
        var diagnostics = DiagnosticBag()
        var reader = YAMLReader(file: file)
        let root = reader.read(text, diagnostics: &diagnostics)
        var found: [Declaration] = []
        let sections = [
            ("states", "state"), ("timers", "timer"), ("texts", "text"), ("templates", "text"),
            ("whatsapp_templates", "whatsapp template"), ("apis", "api"),
        ]
        for (section, kind) in sections {
            for pair in root?[section]?.pairs ?? [] {
                if let name = pair.key.scalar {
                    found.append(.init(kind: kind, name: name, location: pair.key.location))
                }
            }
        }
        declarations = found
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        self.catalog = catalog
    }

    /// What may be typed at `line`:`column`: state names after `goto:` or `in:`, timer names after
    /// a timer action or `timer:`, text names after `named_text:`, WhatsApp templates after
    /// `send_template:` or `name:`, action names at the start of a list item under `do:`.
    public func completions(line: Int, column: Int) -> [(label: String, detail: String)] {
        guard line >= 1, line <= lines.count else { return [] }
        let prefix = String(lines[line - 1].prefix(max(0, column - 1)))
        func names(_ kind: String) -> [(String, String)] {
            declarations.filter { $0.kind == kind }.map { ($0.name, kind) }
        }
        if prefix.contains(/(goto|in|state):\s*\[?[\w\s,-]*$/) { return names("state") }
        if prefix.contains(/(start_timer|restart_timer|cancel_timer|timer):\s*[\w-]*$/) { return names("timer") }
        if prefix.contains(/(send_template|fallback_template|name):\s*[\w-]*$/) { return names("whatsapp template") }
        if prefix.contains(/api:\s*[\w-]*$/) { return names("api") }
        if prefix.contains(/(named_text|template):\s*[\w-]*$/) { return names("text") }
        if prefix.wholeMatch(of: /\s*-\s+[\w_]*/) != nil {
            return catalog.specs.keys.sorted().map { ($0, catalog.specs[$0]?.summary ?? "") }
        }
        if Self.inExpression(prefix) { return expressionCompletions(after: prefix) }
        if prefix.wholeMatch(of: /[\w_]*/) != nil {
            return BotShape.file.fields.map { ($0.name, $0.summary) }
        }
        if prefix.wholeMatch(of: /\s{4}[\w_]*/) != nil || prefix.wholeMatch(of: /\s{2}-\s+[\w_]*/) != nil {
            return BotShape.rule.fields.map { ($0.name, $0.summary) }
        }
        return []
    }

    /// Whether the cursor is inside an expression: an open `{{`, an `if:` value, or an `=` value.
    static func inExpression(_ prefix: String) -> Bool {
        if let open = prefix.ranges(of: "{{").last, !prefix[open.upperBound...].contains("}}") { return true }
        return prefix.contains(/(if|expect):\s*["']?[^"']*$/) || prefix.contains(/:\s*["']?=[^"']*$/)
    }

    /// After `user.`: what the bot stores there; after another root and a dot: its fields;
    /// otherwise the roots and the functions with their signatures.
    private func expressionCompletions(after prefix: String) -> [(label: String, detail: String)] {
        if let match = prefix.firstMatch(of: /([a-z_]+)\.([\w_]*)$/),
            let root = VariableRoot(rawValue: String(match.output.1))
        {
            if let fields = root.fields { return fields.map { ($0, "\(root.rawValue) field") } }
            // The word being typed is in the text too; it is not a suggestion.
            let typing = String(match.output.2)
            return stored(under: root.rawValue).filter { $0 != typing }.map { ($0, "stored by this bot") }
        }
        return VariableRoot.allCases.map { ($0.rawValue, "variable") }
            + ExpressionFunction.all.values.sorted { $0.name < $1.name }.map { ($0.name, $0.summary) }
    }

    /// The fields the file names under `root.` anywhere (stored keys, reads, vars).
    private func stored(under root: String) -> [String] {
        var names = Set<String>()
        let pattern = try? Regex("\\b\(root)\\.([A-Za-z_][A-Za-z0-9_]*)")
        for line in lines {
            guard let pattern else { break }
            for match in String(line).matches(of: pattern) {
                if let name = match.output[1].substring { names.insert(String(name)) }
            }
        }
        return names.sorted()
    }

    /// The declaration of the state, timer or text named by the word at `line`:`column`.
    public func definition(line: Int, column: Int) -> Declaration? {
        guard let word = word(line: line, column: column) else { return nil }
        return declarations.first { $0.name == word }
    }

    /// Every place the state, timer or text named by the word at `line`:`column` is written,
    /// its declaration first: whole words only, comments left out.
    public func references(line: Int, column: Int) -> [SourceLocation] {
        guard let declaration = definition(line: line, column: column) else { return [] }
        let name = Array(declaration.name)
        func isName(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "-" }
        var found = [declaration.location]
        for (index, text) in lines.enumerated() {
            let characters = Array(text.prefix { $0 != "#" })
            guard characters.count >= name.count else { continue }
            for start in 0...(characters.count - name.count) where Array(characters[start..<start + name.count]) == name
            {
                let before = start == 0 || !isName(characters[start - 1])
                let after = start + name.count == characters.count || !isName(characters[start + name.count])
                let location = SourceLocation(file: declaration.location.file, line: index + 1, column: start + 1)
                if before, after, location != declaration.location { found.append(location) }
            }
        }
        return found
    }

    /// Docs for the action or function named by the word at `line`:`column`.
    public func hover(line: Int, column: Int) -> String? {
        guard let word = word(line: line, column: column) else { return nil }
        if let spec = catalog.specs[word] { return "**\(word)** (action): \(spec.summary)" }
        if let function = ExpressionFunction.all[word] { return "**\(word)** (function): \(function.summary)" }
        if let declaration = declarations.first(where: { $0.name == word }) {
            return "**\(word)**: the \(declaration.kind) declared at line \(declaration.location.line)"
        }
        return nil
    }

    /// The name-like word (letters, digits, `_`, `-`) around `line`:`column`.
    public func word(line: Int, column: Int) -> String? {
        guard line >= 1, line <= lines.count else { return nil }
        let text = Array(lines[line - 1])
        func isName(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "-" }
        var start = min(max(column - 1, 0), text.count)
        var end = start
        while start > 0, isName(text[start - 1]) { start -= 1 }
        while end < text.count, isName(text[end]) { end += 1 }
        return start < end ? String(text[start..<end]) : nil
    }

    /// How many characters the diagnostic at `location` should underline: the word there, at least one.
    public func span(at location: SourceLocation) -> Int {
        guard location.line >= 1, location.line <= lines.count else { return 1 }
        let text = Array(lines[location.line - 1])
        var end = max(location.column - 1, 0)
        while end < text.count, !text[end].isWhitespace, text[end] != ":", text[end] != "," { end += 1 }
        return max(1, end - (location.column - 1))
    }
}
