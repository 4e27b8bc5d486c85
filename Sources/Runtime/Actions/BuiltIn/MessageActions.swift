import RuleEngine

/// `send_template`: one of Meta's approved templates, with its parameters.
struct SendTemplateAction: BuiltInAction {
    struct ButtonValue: Decodable, Sendable {
        var payload: CompiledTemplate?
        var urlSuffix: CompiledTemplate?

        enum CodingKeys: String, CodingKey {
            case payload
            case urlSuffix = "url_suffix"
        }
    }

    struct Arguments: Decodable, Sendable {
        var name: String
        var language: String?
        var header: Header?
        var body: Body?
        var buttons: [ButtonValue]?
    }

    /// Text, or `{image|video|document: link or id}`.
    struct Header: Decodable, Sendable {
        var kind: Media.Kind?
        var value: CompiledTemplate

        init(from decoder: any Decoder) throws {
            let value = try Value(from: decoder)
            if let text = value.string {
                (kind, self.value) = (nil, try CompiledTemplate(text))
            } else if case .object(let fields) = value, let (key, source) = fields.first,
                let kind = Media.Kind(rawValue: key), let text = source.string
            {
                (self.kind, self.value) = (kind, try CompiledTemplate(text))
            } else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad header"))
            }
        }
    }

    /// Positional values, or named ones.
    enum Body: Decodable, Sendable {
        case positional([CompiledTemplate])
        case named([String: CompiledTemplate])

        init(from decoder: any Decoder) throws {
            switch try Value(from: decoder) {
            case .array(let items): self = .positional(try items.map { try CompiledTemplate($0.string ?? $0.text) })
            case .object(let fields): self = .named(try fields.mapValues { try CompiledTemplate($0.string ?? $0.text) })
            default:
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad body"))
            }
        }
    }

    static let name = "send_template"

    func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
        let declared = context.bot.graph.whatsAppTemplates[arguments.name]
        var message = TemplateMessage(
            name: arguments.name, language: arguments.language ?? declared?.language ?? "en_US")
        if let header = arguments.header {
            let text = context.render(header.value)
            if let kind = header.kind {
                message.headerMedia = Media(kind, source: text)
            } else {
                message.headerText = text
            }
        }
        switch arguments.body {
        case .positional(let values)?:
            message.body = values.map { TemplateMessage.Parameter(text: context.render($0)) }
        case .named(let values)?:
            // In the declared order, so the request reads like the template.
            let order = declared?.bodyNames ?? values.keys.sorted()
            message.body = order.compactMap { name in
                values[name].map { TemplateMessage.Parameter(name: name, text: context.render($0)) }
            }
        case nil: break
        }
        message.buttons = (arguments.buttons ?? []).enumerated().map { index, button in
            if let suffix = button.urlSuffix {
                return TemplateMessage.ButtonValue(kind: "url", index: index, value: context.render(suffix))
            }
            let payload = button.payload.map { context.render($0) } ?? ""
            return TemplateMessage.ButtonValue(kind: "quick_reply", index: index, value: payload)
        }
        context.send(.template(message))
    }
}

/// `send_location`: a place on the map.
struct SendLocationAction: BuiltInAction {
    struct Arguments: Decodable, Sendable {
        var latitude: DataTemplate
        var longitude: DataTemplate
        var name: CompiledTemplate?
        var address: CompiledTemplate?
    }

    static let name = "send_location"

    func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
        guard let latitude = context.evaluate(arguments.latitude).number, abs(latitude) <= 90,
            let longitude = context.evaluate(arguments.longitude).number, abs(longitude) <= 180
        else {
            throw RuntimeError.action("send_location: the latitude or longitude is not a number on the globe")
        }
        context.send(
            .location(
                Location(
                    latitude: latitude, longitude: longitude, name: arguments.name.map { context.render($0) },
                    address: arguments.address.map { context.render($0) })))
    }
}

/// `send_contacts`: contact cards.
struct SendContactsAction: BuiltInAction {
    struct Card: Decodable, Sendable {
        var name: CompiledTemplate
        var phone: CompiledTemplate?
        var email: CompiledTemplate?
    }

    struct Arguments: Decodable, Sendable {
        var contacts: [Card]
    }

    static let name = "send_contacts"

    func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
        let cards = arguments.contacts.map { card in
            Contact(
                name: context.render(card.name), phones: card.phone.map { [context.render($0)] } ?? [],
                emails: card.email.map { [context.render($0)] } ?? [])
        }
        context.send(.contacts(cards))
    }
}

/// `react`: an emoji on the user's message (`""` removes the bot's reaction).
struct ReactAction: BuiltInAction {
    struct Arguments: Decodable, Sendable {
        var emoji: CompiledTemplate
    }

    static let name = "react"

    func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
        guard case .message(let message) = context.event.kind else { return }
        context.send(.reaction(messageID: message.id, emoji: context.render(arguments.emoji)))
    }
}

/// `request_location`: a text with a button to share the user's location.
struct RequestLocationAction: BuiltInAction {
    struct Arguments: Decodable, Sendable {
        var text: CompiledTemplate
    }

    static let name = "request_location"

    func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
        context.send(.locationRequest(text: context.render(arguments.text)))
    }
}

/// `typing`: blue ticks and a typing indicator, until the reply or for up to 25 seconds.
struct TypingAction: BuiltInAction {
    struct Arguments: Decodable, Sendable {}

    static let name = "typing"

    func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
        guard case .message(let message) = context.event.kind else { return }
        context.send(.markRead(messageID: message.id, typing: true))
    }
}
