/// Rewrites the short forms of built-in actions' arguments into their one canonical mapping,
/// so the runtime decodes a single form (`reply: Hi` becomes `{text: Hi}`).
public enum BuiltInArguments {
    /// The canonical form of `value` for action `name`; other actions' arguments are returned unchanged.
    public static func canonical(_ name: String, _ value: Value) -> Value {
        switch (name, value) {
        case ("reply", .string(let text)): return .object(["text": .string(text)])
        case ("increment", .string(let key)): return .object(["key": .string(key)])
        case ("delete", .string(let key)): return .object(["keys": .array([.string(key)])])
        case ("delete", .array(let keys)): return .object(["keys": .array(keys)])
        case ("start_timer", .string(let timer)), ("restart_timer", .string(let timer)),
            ("cancel_timer", .string(let timer)):
            return .object(["timer": .string(timer)])
        case ("goto", .string(let state)): return .object(["state": .string(state)])
        case ("mark_read", .null): return .object([:])
        default: return value
        }
    }
}
