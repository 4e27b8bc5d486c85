/// A bot file read into declarations, before semantic checks; every part keeps its location.
///
/// Built tolerantly from a tree that may have errors, so the validation rules can still
/// report everything in one run.
struct BotDocument {
    struct StateDecl {
        var name: String
        var location: SourceLocation
        var isInitial: Bool
        var timeToLive: Double?
    }

    struct TimerDecl {
        var name: String
        var location: SourceLocation
        var duration: Double
    }

    struct TemplateDecl {
        var name: String
        var source: String
        var location: SourceLocation
        /// Where the template's text starts.
        var sourceLocation: SourceLocation
    }

    /// A WhatsApp template the bot may send, as declared under `whatsapp_templates:`.
    struct WhatsAppTemplateDecl {
        var name: String
        var location: SourceLocation
        var template: WhatsAppTemplate
    }

    /// An HTTP API declared under `apis:`.
    struct APIDecl {
        var name: String
        var location: SourceLocation
        var api: APIDeclaration
    }

    struct ActionDecl {
        var name: String
        var arguments: Value
        var location: SourceLocation
    }

    struct RuleDecl {
        var id: String
        var location: SourceLocation
        var trigger: Trigger?
        var triggerLocation: SourceLocation
        var states: [(name: String, location: SourceLocation)]
        var condition: String?
        /// Where the condition's text starts.
        var conditionLocation: SourceLocation?
        var actions: [ActionDecl]
        var continues: Bool
        /// `fallback_template:`, read as a `send_template` action.
        var fallback: ActionDecl?
    }

    var file: String
    var name: String
    var timeZone = "UTC"
    var storage: StorageLocation?
    var phoneNumberID: String?
    var throughput: Int?
    var states: [StateDecl] = []
    var timers: [TimerDecl] = []
    var templates: [TemplateDecl] = []
    var whatsAppTemplates: [WhatsAppTemplateDecl] = []
    var apis: [APIDecl] = []
    var sensitive: [String] = []
    var vars: [String: Value] = [:]
    var rules: [RuleDecl] = []
    /// Names, variables and storage keys the file uses, collected by the shape checker.
    var names: [ShapeChecker.NamedReference] = []
    var variables: [ShapeChecker.VariableReference] = []
    var storageKeys: [ShapeChecker.StorageKey] = []
    /// What the shape checker parsed, for the graph builder.
    var compiled = CompiledParts()
    /// The actions the file may use, whose declared effects the checks read.
    var catalog = ActionCatalog([])

    /// The names the actions of the file hand off work under (`as:` of `call`).
    var results: [String] {
        rules.flatMap { rule in
            rule.actions.flatMap { catalog.specs[$0.name]?.returnedResults($0.arguments) ?? [] }
        }
    }

    /// The state new users start in: the one marked `initial`, else the first, else `start`.
    ///
    /// A search of the states: read it once, not inside a loop over them.
    var initialState: String {
        states.first { $0.isInitial }?.name ?? states.first?.name ?? "start"
    }
}
