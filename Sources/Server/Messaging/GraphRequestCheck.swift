import RuleEngine
import Runtime

/// What makes a message one the Graph API would refuse whatever we do, found before it is sent:
/// such a message fails for good at once (and goes to the dead letters) instead of being
/// retried, and nothing unbounded ever reaches a request URL.
enum GraphRequestCheck {
    /// The reason `message` from `phoneNumberID` cannot be sent, or nil when it can.
    static func problem(with message: OutboundMessage, phoneNumberID: String) -> String? {
        guard WhatsAppLimits.isNumberID(phoneNumberID) else {
            return
                "the business number id is not \(WhatsAppLimits.numberIDDigits) digits (\(phoneNumberID.utf8.count) characters)"
        }
        guard WhatsAppLimits.isRecipient(message.to) else {
            return "the recipient is not a WhatsApp id of \(WhatsAppLimits.recipientDigits) digits"
        }
        switch message.body {
        case .text, .markRead:
            return nil
        case .buttons(let text, let buttons, let header, let footer):
            return tooLong(text, WhatsAppLimits.interactiveBody, "body")
                ?? tooLong(header, WhatsAppLimits.headerOrFooter, "header")
                ?? tooLong(footer, WhatsAppLimits.headerOrFooter, "footer")
                ?? buttons.lazy.compactMap {
                    tooLong($0.title, WhatsAppLimits.buttonTitle, "button title")
                        ?? tooLong($0.id, WhatsAppLimits.choiceID, "button id")
                }.first
        case .list(let text, let button, let sections, let header, let footer):
            let rows = sections.lazy.flatMap(\.rows)
            return tooLong(text, WhatsAppLimits.interactiveBody, "body")
                ?? tooLong(button, WhatsAppLimits.buttonTitle, "list button")
                ?? tooLong(header, WhatsAppLimits.headerOrFooter, "header")
                ?? tooLong(footer, WhatsAppLimits.headerOrFooter, "footer")
                ?? rows.compactMap {
                    tooLong($0.title, WhatsAppLimits.rowTitle, "row title")
                        ?? tooLong($0.description, WhatsAppLimits.rowDescription, "row description")
                        ?? tooLong($0.id, WhatsAppLimits.choiceID, "row id")
                }.first
        }
    }

    private static func tooLong(_ text: String?, _ limit: Int, _ part: String) -> String? {
        guard let text, text.count > limit else { return nil }
        return "the \(part) is \(text.count) characters; WhatsApp allows \(limit)"
    }
}
