/// Compiles bot files: YAML text in, a `RuleGraph` and every diagnostic out. Pure: no clock, disk or network.
///
/// The stages, each with its own type at the boundary:
/// text → `SyntaxNode` (YAMLReader) → shape-checked tree (ShapeChecker) → `BotDocument` (BotReader)
/// → validated (ValidationRules) → `RuleGraph` (GraphBuilder).
public struct BotCompiler: Sendable {
    /// The actions bots may use.
    public var catalog: ActionCatalog

    /// A compiler for bots using `catalog`'s actions (the built-ins by default).
    public init(catalog: ActionCatalog = .builtIn) {
        self.catalog = catalog
    }

    /// Compiles `source`, naming it `file` in diagnostics.
    public func compile(source: String, file: String) -> CompileResult {
        var diagnostics = DiagnosticBag()
        var reader = YAMLReader(file: file)
        guard CompileLimits.checkSize(of: source, file: file, into: &diagnostics),
            let root = reader.read(source, diagnostics: &diagnostics)
        else {
            return CompileResult(graph: nil, diagnostics: diagnostics.sorted)
        }
        var checker = ShapeChecker(catalog: catalog, locator: ScalarLocator(source: source))
        checker.check(root, against: .record(BotShape.file))
        for diagnostic in checker.diagnostics.all { diagnostics.report(diagnostic) }

        var document = BotReader(file: file, catalog: catalog).read(root, defaultName: Self.defaultName(for: file))
        document.names = checker.names
        document.variables = checker.variables
        document.storageKeys = checker.storageKeys
        document.compiled = checker.compiled
        for rule in ValidationRules.all {
            rule.validate(document, into: &diagnostics)
        }
        let graph = diagnostics.hasErrors ? nil : GraphBuilder.build(document, into: &diagnostics)
        return CompileResult(graph: graph, diagnostics: diagnostics.sorted)
    }

    private static func defaultName(for file: String) -> String {
        let base = file.split(separator: "/").last.map(String.init) ?? file
        return base.hasSuffix(".yaml")
            ? String(base.dropLast(5)) : base.hasSuffix(".yml") ? String(base.dropLast(4)) : base
    }
}

/// What compiling one file produced.
public struct CompileResult: Sendable {
    /// The graph, when there were no errors.
    public var graph: RuleGraph?
    /// Every error and warning, sorted by position.
    public var diagnostics: [Diagnostic]

    /// Whether any diagnostic is an error.
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}
