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
                "the business number id is not 1 to \(WhatsAppLimits.numberIDDigits.upperBound) digits (\(phoneNumberID.utf8.count) characters)"
        }
        guard WhatsAppLimits.isRecipient(message.to) else {
            return "the recipient is not a WhatsApp id of 1 to \(WhatsAppLimits.recipientDigits.upperBound) digits"
        }
        if let link = message.body.links.first(where: { !$0.lowercased().hasPrefix("https://") }) {
            return "'\(link.prefix(80))' is not an https URL; WhatsApp fetches media and opens buttons only over https"
        }
        return message.body.partOverWhatsAppLimits
    }
}
