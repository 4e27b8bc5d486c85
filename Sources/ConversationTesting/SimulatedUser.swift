import RuleEngine
public import Runtime

/// Makes inbound events as WhatsApp would for one person: unique message ids and timestamps.
public struct SimulatedUser: Sendable {
    /// The user's phone number.
    public var phone: String
    /// The user's profile name.
    public var name: String?
    private var counter = 0

    /// A simulated user.
    public init(phone: String, name: String?) {
        self.phone = phone
        self.name = name
    }

    /// The event for one typed line: `/button ID` taps a button, `/image caption` sends an image, else text.
    public mutating func event(for line: String, at now: Double) -> InboundEvent {
        let words = line.split(separator: " ", maxSplits: 1).map(String.init)
        var spec = ConversationSpec.MessageSpec()
        switch words.first {
        case "/button", "/tap": spec = .init(type: "interactive", button: words.count > 1 ? words[1] : "")
        case "/image", "/video", "/document", "/audio", "/sticker", "/location":
            spec.type = String(words[0].dropFirst())
            spec.caption = words.count > 1 ? words[1] : nil
            spec.filename = spec.type == "document" ? (words.count > 1 ? words[1] : "file.pdf") : nil
        default: spec.text = line
        }
        return event(for: spec, at: now)
    }

    /// The event for a message spec.
    public mutating func event(for spec: ConversationSpec.MessageSpec, at now: Double) -> InboundEvent {
        counter += 1
        let id = "wamid.sim.\(phone).\(Int(now)).\(counter)"
        let message = InboundMessage(
            id: id, type: spec.type, timestamp: now, text: spec.type == "text" ? (spec.text ?? "") : spec.text,
            caption: spec.caption, filename: spec.filename, buttonID: spec.button, buttonTitle: spec.button)
        return InboundEvent(id: id, userID: phone, contactName: name, kind: .message(message))
    }
}
