import RuleEngine

/// The parts of an inbound message that rules read less often, taken from its raw JSON when a
/// rule asks (`message.location`, `message.order`, …), so no event pays for them otherwise.
enum InboundDetails {
    static func location(_ m: InboundMessage) -> Value {
        guard m.type == "location" else { return .null }
        let raw = m.raw?["location"] ?? .null
        return .object([
            "latitude": m.latitude.map(Value.double) ?? .null, "longitude": m.longitude.map(Value.double) ?? .null,
            "name": text(raw["name"]), "address": text(raw["address"]), "url": text(raw["url"]),
        ])
    }

    static func contacts(_ m: InboundMessage) -> Value {
        guard case .array(let cards) = m.raw?["contacts"] ?? .null, m.type == "contacts" else { return .null }
        return .array(
            cards.map { card in
                .object([
                    "name": text(card["name"]["formatted_name"]),
                    "phones": list(card["phones"]) { $0["phone"] },
                    "emails": list(card["emails"]) { $0["email"] },
                ])
            })
    }

    static func order(_ m: InboundMessage) -> Value {
        guard m.type == "order", let raw = m.raw?["order"] else { return .null }
        return .object([
            "catalog_id": text(raw["catalog_id"]), "text": text(raw["text"]),
            "items": list(raw["product_items"]) { item in
                .object([
                    "product_id": text(item["product_retailer_id"]), "quantity": number(item["quantity"]),
                    "price": number(item["item_price"]), "currency": text(item["currency"]),
                ])
            },
        ])
    }

    static func referral(_ m: InboundMessage) -> Value {
        guard case .object(let fields) = m.raw?["referral"] ?? .null else { return .null }
        let keys = ["source_url", "source_id", "source_type", "headline", "body", "media_type", "ctwa_clid"]
        return .object(Dictionary(uniqueKeysWithValues: keys.map { ($0, text(fields[$0] ?? .null)) }))
    }

    /// A completed Flow's answers: Meta sends them as JSON inside a string.
    static func flow(_ m: InboundMessage) -> Value {
        guard m.type == "interactive", let reply = m.raw?["interactive"]["nfm_reply"], reply != .null,
            let json = reply["response_json"].string
        else { return .null }
        return (try? JSONParser.parse(json)) ?? .null
    }

    private static func text(_ value: Value) -> Value {
        switch value {
        case .string: value
        case .int(let i): .string(String(i))
        default: .null
        }
    }

    private static func number(_ value: Value) -> Value {
        if let number = value.number { return .double(number) }
        if let text = value.string, let number = Double(text), number.isFinite { return .double(number) }
        return .null
    }

    private static func list(_ value: Value, _ item: (Value) -> Value) -> Value {
        guard case .array(let items) = value else { return .array([]) }
        return .array(items.map(item))
    }
}
