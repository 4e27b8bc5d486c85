import RuleEngine

extension OutboundMessage.Body {
    /// One part of a body that Meta limits: its name, its limit, and whether it may be cut
    /// (an id may not: it is what comes back when the user taps).
    struct LimitedPart {
        var name: String
        var limit: Int
        var cuttable: Bool
    }

    /// The body rebuilt with `transform` applied to every limited part: the one list of which
    /// part has which of Meta's limits (`WhatsAppLimits`), for cutting and for checking alike.
    func mapLimitedParts(_ transform: (String, LimitedPart) -> String) -> OutboundMessage.Body {
        func part(_ text: String, _ name: String, _ limit: Int, cuttable: Bool = true) -> String {
            transform(text, LimitedPart(name: name, limit: limit, cuttable: cuttable))
        }
        func part(_ text: String?, _ name: String, _ limit: Int) -> String? {
            text.map { part($0, name, limit) }
        }
        func buttonParts(_ buttons: [OutboundMessage.Button]) -> [OutboundMessage.Button] {
            buttons.map {
                OutboundMessage.Button(
                    id: part($0.id, "button id", WhatsAppLimits.choiceID, cuttable: false),
                    title: part($0.title, "button title", WhatsAppLimits.buttonTitle))
            }
        }
        switch self {
        case .text, .markRead, .location, .contacts, .reaction, .template, .work:
            return self
        case .media(let media, let caption):
            return .media(media, caption: part(caption, "caption", WhatsAppLimits.caption))
        case .mediaButtons(let text, let buttons, let media, let footer):
            return .mediaButtons(
                text: part(text, "body", WhatsAppLimits.interactiveBody), buttons: buttonParts(buttons), media: media,
                footer: part(footer, "footer", WhatsAppLimits.headerOrFooter))
        case .ctaURL(let text, let button, let url, let header, let footer):
            return .ctaURL(
                text: part(text, "body", WhatsAppLimits.interactiveBody),
                button: part(button, "button title", WhatsAppLimits.buttonTitle), url: url,
                header: part(header, "header", WhatsAppLimits.headerOrFooter),
                footer: part(footer, "footer", WhatsAppLimits.headerOrFooter))
        case .locationRequest(let text):
            return .locationRequest(text: part(text, "body", WhatsAppLimits.interactiveBody))
        case .buttons(let text, let buttons, let header, let footer):
            return .buttons(
                text: part(text, "body", WhatsAppLimits.interactiveBody),
                buttons: buttonParts(buttons),
                header: part(header, "header", WhatsAppLimits.headerOrFooter),
                footer: part(footer, "footer", WhatsAppLimits.headerOrFooter))
        case .list(let text, let button, let sections, let header, let footer):
            return .list(
                text: part(text, "body", WhatsAppLimits.interactiveBody),
                button: part(button, "list button", WhatsAppLimits.buttonTitle),
                sections: sections.map { section in
                    OutboundMessage.ListSection(
                        title: part(section.title, "section title", WhatsAppLimits.rowTitle),
                        rows: section.rows.map {
                            OutboundMessage.ListRow(
                                id: part($0.id, "row id", WhatsAppLimits.choiceID, cuttable: false),
                                title: part($0.title, "row title", WhatsAppLimits.rowTitle),
                                description: part($0.description, "row description", WhatsAppLimits.rowDescription))
                        })
                },
                header: part(header, "header", WhatsAppLimits.headerOrFooter),
                footer: part(footer, "footer", WhatsAppLimits.headerOrFooter))
        }
    }

    /// The body with every rendered part held to Meta's limits, and a warning for each part that
    /// was cut. Literal texts are checked when the bot is compiled; this catches what templates
    /// produce from user data.
    func fittingWhatsAppLimits() -> (OutboundMessage.Body, [String]) {
        var cuts: [String] = []
        let body = mapLimitedParts { text, part in
            guard part.cuttable, text.count > part.limit else { return text }
            cuts.append("the \(part.name) was \(text.count) characters; cut to WhatsApp's \(part.limit)")
            return String(text.prefix(part.limit - 1)) + "…"
        }
        return (body, cuts)
    }

    /// The URLs WhatsApp fetches or opens for this body: media links and a link button's address.
    public var links: [String] {
        switch self {
        case .media(let media, _), .mediaButtons(_, _, let media, _): media.link.map { [$0] } ?? []
        case .ctaURL(_, _, let url, _, _): [url]
        case .template(let template): template.headerMedia?.link.map { [$0] } ?? []
        default: []
        }
    }

    /// Why the Graph API would refuse this body, or nil: the first part over its limit.
    public var partOverWhatsAppLimits: String? {
        var problem: String?
        _ = mapLimitedParts { text, part in
            if problem == nil, text.count > part.limit {
                problem = "the \(part.name) is \(text.count) characters; WhatsApp allows \(part.limit)"
            }
            return text
        }
        return problem
    }
}
