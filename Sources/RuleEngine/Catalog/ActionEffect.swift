/// What an action does that the compiler's checks need to know: every rule about states,
/// timers and stored keys asks an action's declared effects, never its name, so a custom action
/// takes part in them exactly as a built-in does.
///
/// A storage key given in an argument (a field of kind `.storageKey`) is a write already: the
/// shape says so, so it is not declared again here; `deletesKeys` turns those into deletions.
///
/// ```swift
/// ActionSpec(name: "open_ticket", arguments: shape, summary: "open a helpdesk ticket",
///            effects: [.writes("user.ticket"), .enters(state: "waiting")])
/// ```
public enum ActionEffect: Sendable, Hashable {
    /// Writes this storage key whatever its arguments, such as `user.ticket`.
    case writes(String)
    /// The storage keys in its arguments are deleted, not written.
    case deletesKeys
    /// Moves the user to the state given in this argument (`state` of `goto`).
    case entersState(argument: String)
    /// Moves the user to this state.
    case enters(state: String)
    /// Starts (or restarts) the timer given in this argument.
    case startsTimer(argument: String)
    /// Cancels the timer given in this argument.
    case cancelsTimer(argument: String)
    /// Sends a message to the user.
    case sendsMessage
    /// Sends a free-form message (not a template), which WhatsApp allows only within 24 hours
    /// of the user's last message: the compiler checks where such actions may run.
    case sendsFreeForm
    /// Hands off work (an HTTP call, a custom task) whose result comes back as an event named by
    /// this argument: `when: { response: NAME }` or `when: { call_failed: NAME }`.
    case returns(argument: String)
    /// Hands off work whose result comes back under this fixed name (a custom action's).
    case returnsResult(String)
}

/// A short form an action's arguments may take, rewritten into the one mapping the runtime
/// decodes: `goto: busy` is `{state: busy}`.
public enum ActionShorthand: Sendable, Hashable {
    /// A bare value stands for this field: `goto: busy` → `{state: busy}`.
    case field(String)
    /// A bare value or a list stands for this list field: `delete: user.a` → `{keys: [user.a]}`.
    case listField(String)
    /// Nothing at all stands for no arguments: `- mark_read` → `{}`.
    case empty

    /// `value` in the canonical mapping form.
    func canonical(_ value: Value) -> Value {
        switch (self, value) {
        case (.field(let name), .string), (.field(let name), .int), (.field(let name), .double),
            (.field(let name), .bool):
            return .object([name: value])
        case (.listField(let name), .string): return .object([name: .array([value])])
        case (.listField(let name), .array): return .object([name: value])
        case (.empty, .null): return .object([:])
        default: return value
        }
    }
}

extension ActionSpec {
    /// The states this use of the action moves a user to, read from its (canonical) arguments.
    public func enteredStates(_ arguments: Value) -> [String] {
        effects.compactMap { effect in
            switch effect {
            case .entersState(argument: let name): arguments[name].string
            case .enters(state: let state): state
            default: nil
            }
        }
    }

    /// The timers this use of the action starts.
    public func startedTimers(_ arguments: Value) -> [String] {
        effects.compactMap { if case .startsTimer(argument: let name) = $0 { arguments[name].string } else { nil } }
    }

    /// The fixed storage keys the action writes, whatever its arguments (`user.ticket`).
    public var writtenKeys: [String] {
        effects.compactMap { if case .writes(let key) = $0 { key } else { nil } }
    }

    /// The result names this use of the action hands off work under.
    public func returnedResults(_ arguments: Value) -> [String] {
        effects.compactMap { effect in
            switch effect {
            case .returns(argument: let name): arguments[name].string
            case .returnsResult(let name): name
            default: nil
            }
        }
    }

    /// Whether it sends a message WhatsApp allows only inside the 24-hour window.
    public var sendsFreeForm: Bool {
        effects.contains(.sendsFreeForm)
    }

    /// Whether the storage keys in its arguments are deleted rather than written.
    public var deletesKeys: Bool {
        effects.contains(.deletesKeys)
    }
}
