import RuleEngine

extension OutboundMessage.Body {
    /// The body with every rendered part held to Meta's limits (`WhatsAppLimits`), and a warning
    /// for each part that was cut. Literal texts are checked when the bot is compiled; this
    /// catches what templates produce from user data.
    func fittingWhatsAppLimits() -> (OutboundMessage.Body, [String]) {
        var cuts: [String] = []
        func fit(_ text: String, _ limit: Int, _ part: String) -> String {
            guard text.count > limit else { return text }
            cuts.append("the \(part) was \(text.count) characters; cut to WhatsApp's \(limit)")
            return String(text.prefix(limit - 1)) + "…"
        }
        func fit(_ text: String?, _ limit: Int, _ part: String) -> String? {
            text.map { fit($0, limit, part) }
        }
        switch self {
        case .text, .markRead:
            return (self, [])
        case .buttons(let text, let buttons, let header, let footer):
            let body = OutboundMessage.Body.buttons(
                text: fit(text, WhatsAppLimits.interactiveBody, "body of a message with buttons"),
                buttons: buttons.map {
                    OutboundMessage.Button(id: $0.id, title: fit($0.title, WhatsAppLimits.buttonTitle, "button title"))
                },
                header: fit(header, WhatsAppLimits.headerOrFooter, "header"),
                footer: fit(footer, WhatsAppLimits.headerOrFooter, "footer"))
            return (body, cuts)
        case .list(let text, let button, let sections, let header, let footer):
            let body = OutboundMessage.Body.list(
                text: fit(text, WhatsAppLimits.interactiveBody, "body of a list message"),
                button: fit(button, WhatsAppLimits.buttonTitle, "list button"),
                sections: sections.map { section in
                    OutboundMessage.ListSection(
                        title: fit(section.title, WhatsAppLimits.rowTitle, "section title"),
                        rows: section.rows.map {
                            OutboundMessage.ListRow(
                                id: $0.id, title: fit($0.title, WhatsAppLimits.rowTitle, "row title"),
                                description: fit($0.description, WhatsAppLimits.rowDescription, "row description"))
                        })
                },
                header: fit(header, WhatsAppLimits.headerOrFooter, "header"),
                footer: fit(footer, WhatsAppLimits.headerOrFooter, "footer"))
            return (body, cuts)
        }
    }
}
