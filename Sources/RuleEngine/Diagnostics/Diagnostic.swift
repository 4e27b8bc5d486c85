/// One problem the compiler found in a bot file.
///
/// Messages are lowercase without a trailing period; ids are stable kebab-case
/// names that tests, editors and documentation can refer to.
public struct Diagnostic: Sendable, Hashable, Codable {
    /// How serious a diagnostic is.
    public enum Severity: String, Sendable, Hashable, Codable {
        /// The bot cannot run.
        case error
        /// The bot runs, but probably not as intended.
        case warning
    }

    /// Stable kebab-case identifier, such as `unknown-key`.
    public var id: String
    /// Whether the bot can still run.
    public var severity: Severity
    /// What is wrong, lowercase, no trailing period.
    public var message: String
    /// Where it is wrong.
    public var location: SourceLocation
    /// A replacement the user probably meant, shown as "did you mean".
    public var suggestion: String?
    /// Extra explanation shown below the caret.
    public var notes: [String]

    /// Creates a diagnostic.
    public init(
        id: String,
        severity: Severity = .error,
        message: String,
        location: SourceLocation,
        suggestion: String? = nil,
        notes: [String] = []
    ) {
        self.id = id
        self.severity = severity
        self.message = message
        self.location = location
        self.suggestion = suggestion
        self.notes = notes
    }
}

/// Collects diagnostics while the compiler runs, so every problem is reported in one run.
public struct DiagnosticBag: Sendable {
    /// Everything reported so far, in report order.
    public private(set) var all: [Diagnostic] = []

    /// Creates an empty bag.
    public init() {}

    /// Whether any error (not warning) has been reported.
    public var hasErrors: Bool { all.contains { $0.severity == .error } }

    /// Adds a diagnostic.
    public mutating func report(_ diagnostic: Diagnostic) {
        all.append(diagnostic)
    }

    /// Adds an error or warning built from its parts.
    package mutating func report(
        _ id: String,
        _ message: String,
        at location: SourceLocation,
        severity: Diagnostic.Severity = .error,
        suggestion: String? = nil,
        notes: [String] = []
    ) {
        all.append(
            Diagnostic(
                id: id, severity: severity, message: message, location: location,
                suggestion: suggestion, notes: notes))
    }

    /// The diagnostics sorted by position, duplicates removed, at most `CompileLimits.diagnostics`
    /// of them: the rest are counted in a last `too-many-diagnostics`, so one broken line cannot
    /// print megabytes.
    public var sorted: [Diagnostic] {
        var seen = Set<Diagnostic>()
        let unique = all.filter { seen.insert($0).inserted }.sorted { $0.location < $1.location }
        guard unique.count > CompileLimits.diagnostics else { return unique }
        let rest = unique[CompileLimits.diagnostics...]
        let errors = rest.filter { $0.severity == .error }.count
        return Array(unique.prefix(CompileLimits.diagnostics)) + [
            Diagnostic(
                id: "too-many-diagnostics", severity: errors > 0 ? .error : .warning,
                message:
                    "\(rest.count) more diagnostics not shown (\(errors) errors, \(rest.count - errors) warnings)",
                location: rest[rest.startIndex].location,
                notes: ["fix the ones above and check again"])
        ]
    }
}
