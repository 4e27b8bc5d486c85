import Foundation
import RuleEngine
import Runtime

/// Turns a Cloud API webhook body into our events: every entry, change, message and status.
///
/// Parsing is lenient: a message missing what we need is skipped (and counted), unknown types
/// keep their raw JSON, and numbers or strings are accepted where Meta's docs disagree.
///
/// It is also defensive, since every field may be hostile: a timestamp must be a finite Unix
/// time up to the year 9999 (else it reads as 0, "unknown"), an error code that is no `Int` is
/// dropped, and ids longer than `maximumIDLength` or a business number id that is not digits
/// make the item skipped, so nothing unbounded reaches the journal or a Graph API URL.
enum WebhookPayload {
    /// An event and the business number it arrived on.
    struct Item: Sendable {
        var phoneNumberID: String?
        var event: InboundEvent
        var timestamp: Double
    }

    /// The result of reading a body.
    struct Parsed: Sendable {
        var items: [Item] = []
        /// Messages or statuses that lacked required fields.
        var skipped = 0
        /// Whether the body was for another product (`object` is not a WhatsApp account) or another field.
        var ignored = false
    }

    /// Reads `json`; never throws for valid JSON of an unexpected shape.
    static func parse(_ json: Value) -> Parsed {
        var parsed = Parsed()
        guard json["object"].string == "whatsapp_business_account", case .array(let entries) = json["entry"] else {
            parsed.ignored = true
            return parsed
        }
        for entry in entries {
            guard case .array(let changes) = entry["changes"] else { continue }
            for change in changes {
                guard change["field"].string == "messages" else {
                    parsed.ignored = true
                    continue
                }
                read(change["value"], into: &parsed)
            }
        }
        return parsed
    }

    /// The longest message, status, user or business number id accepted (Meta's are far shorter).
    static let maximumIDLength = 256

    private static func read(_ value: Value, into parsed: inout Parsed) {
        let phoneNumberID = text(value["metadata"]["phone_number_id"])
        if let phoneNumberID, !WhatsAppLimits.isNumberID(phoneNumberID) {
            parsed.skipped += count(value["messages"]) + count(value["statuses"])
            return
        }
        var names: [String: String] = [:]
        if case .array(let contacts) = value["contacts"] {
            for contact in contacts {
                if let id = text(contact["wa_id"]), let name = contact["profile"]["name"].string {
                    names[digits(id)] = name
                }
            }
        }
        if case .array(let messages) = value["messages"] {
            for raw in messages {
                guard let item = message(raw, phoneNumberID: phoneNumberID, names: names) else {
                    parsed.skipped += 1
                    continue
                }
                parsed.items.append(item)
            }
        }
        if case .array(let statuses) = value["statuses"] {
            for raw in statuses {
                guard let id = text(raw["id"]), let status = text(raw["status"]),
                    let recipient = text(raw["recipient_id"]), [id, status, recipient].allSatisfy(isBounded)
                else {
                    parsed.skipped += 1
                    continue
                }
                let timestamp = unixTime(raw["timestamp"])
                var codes: [Int] = []
                var title: String?
                if case .array(let errors) = raw["errors"] {
                    codes = errors.compactMap { number($0["code"]).flatMap { Int(exactly: $0) } }
                    title = errors.first.flatMap { $0["title"].string ?? $0["message"].string }.map(bounded)
                }
                let callback = raw["biz_opaque_callback_data"].string.flatMap { $0.utf8.count <= 512 ? $0 : nil }
                let event = InboundEvent(
                    id: "status:\(id):\(status)", userID: digits(recipient), phoneNumberID: phoneNumberID,
                    kind: .status(
                        DeliveryStatus(
                            messageID: id, status: status, timestamp: timestamp, errorCodes: codes, errorTitle: title,
                            callback: callback)))
                parsed.items.append(Item(phoneNumberID: phoneNumberID, event: event, timestamp: timestamp))
            }
        }
    }

    private static func message(_ raw: Value, phoneNumberID: String?, names: [String: String]) -> Item? {
        guard case .object = raw, let id = text(raw["id"]), let from = text(raw["from"]), let type = text(raw["type"]),
            [id, from, type].allSatisfy(isBounded)
        else { return nil }
        let timestamp = unixTime(raw["timestamp"])
        let payload = raw[type]
        var message = InboundMessage(id: id, type: type, timestamp: timestamp, raw: raw)
        var eventID = id
        switch type {
        case "text":
            guard let body = text(payload["body"]) else { return nil }
            message.text = body
        case "image", "video", "audio", "document", "sticker":
            message.caption = payload["caption"].string
            message.filename = payload["filename"].string
            message.mimeType = payload["mime_type"].string
            message.mediaID = text(payload["id"])
        case "location":
            message.latitude = number(payload["latitude"])
            message.longitude = number(payload["longitude"])
        case "interactive":
            let reply = payload["button_reply"] != .null ? payload["button_reply"] : payload["list_reply"]
            message.buttonID = text(reply["id"])
            message.buttonTitle = reply["title"].string
        case "button":
            message.buttonID = text(payload["payload"])
            message.buttonTitle = payload["text"].string
        case "reaction":
            message.emoji = payload["emoji"].string
            message.reactedTo = text(payload["message_id"])
            // Removing a reaction reuses the reaction's message id; it is a different event.
            eventID = id + "#reaction:" + (message.emoji ?? "removed")
        case "order":
            message.text = payload["text"].string
        default:
            break
        }
        message.replyTo = raw["context"]["id"].string
        message.forwarded =
            raw["context"]["forwarded"] == .bool(true) || raw["context"]["frequently_forwarded"] == .bool(true)
        let user = digits(from)
        let event = InboundEvent(
            id: eventID, userID: user, contactName: names[user], phoneNumberID: phoneNumberID, kind: .message(message))
        return Item(phoneNumberID: phoneNumberID, event: event, timestamp: timestamp)
    }

    private static func text(_ value: Value) -> String? {
        switch value {
        case .string(let s): s.isEmpty ? nil : s
        case .int(let i): String(i)
        default: nil
        }
    }

    /// A finite number, from a JSON number or its text (`"inf"` and `"nan"` are not finite, so
    /// not numbers here). Read for every message's timestamp, so no parser is built for it.
    private static func number(_ value: Value) -> Double? {
        let number: Double? =
            switch value {
            case .string(let s): Double(s)
            default: value.number
            }
        return number.flatMap { $0.isFinite ? $0 : nil }
    }

    /// The latest Unix time accepted: the end of the year 9999.
    static let latestTimestamp: Double = 253_402_300_799

    private static func unixTime(_ value: Value) -> Double {
        guard let seconds = number(value), (0...latestTimestamp).contains(seconds) else { return 0 }
        return seconds
    }

    private static func isBounded(_ id: String) -> Bool {
        id.utf8.count <= maximumIDLength
    }

    /// Free text from Meta (an error title), cut to a length fit for logs and traces.
    private static func bounded(_ text: String) -> String {
        text.count <= maximumIDLength ? text : String(text.prefix(maximumIDLength))
    }

    private static func count(_ value: Value) -> Int {
        if case .array(let items) = value { return items.count }
        return 0
    }

    private static func digits(_ phone: String) -> String {
        let digits = phone.filter(\.isNumber)
        return digits.isEmpty ? phone : digits
    }
}
