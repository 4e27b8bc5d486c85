extension OutboundMessage.Body {
    /// The message as text: what a person reads, and with `withIDs` also what they would type
    /// back (button and row ids) and where media comes from.
    func display(withIDs: Bool) -> String {
        func lines(_ parts: String?...) -> String { parts.compactMap { $0 }.joined(separator: "\n") }
        func choices(_ buttons: [OutboundMessage.Button]) -> String {
            buttons.map { withIDs ? "[\($0.title)](\($0.id))" : "[\($0.title)]" }.joined(separator: " ")
        }
        func media(_ media: Media) -> String {
            "[\(media.kind.rawValue)\(media.filename.map { " \($0)" } ?? "")\(withIDs ? " \(media.sourceText)" : "")]"
        }
        switch self {
        case .text(let text): return text
        case .buttons(let text, let buttons, let header, let footer):
            return lines(header, text, footer) + "\n" + choices(buttons)
        case .mediaButtons(let text, let buttons, let header, let footer):
            return lines(media(header), text, footer) + "\n" + choices(buttons)
        case .list(let text, let button, let sections, let header, let footer):
            var rows: [String] = []
            for section in sections {
                if withIDs, let title = section.title { rows.append("\(title):") }
                for row in section.rows {
                    var line = "• " + row.title
                    if withIDs {
                        line += " (" + row.id + ")"
                        if let description = row.description { line += " — " + description }
                    }
                    rows.append(line)
                }
            }
            return lines(header, text, footer) + "\n[\(button)]\n" + rows.joined(separator: "\n")
        case .markRead: return ""
        case .media(let attachment, let caption): return lines(media(attachment), caption)
        case .location(let place):
            let name = [place.name, place.address].compactMap { $0 }.joined(separator: ", ")
            return "[location\(name.isEmpty ? "" : " \(name)") (\(place.latitude), \(place.longitude))]"
        case .contacts(let cards):
            return cards.map { "[contact \(([$0.name] + $0.phones + $0.emails).joined(separator: " "))]" }
                .joined(separator: "\n")
        case .reaction(_, let emoji): return emoji.isEmpty ? "[reaction removed]" : "[reaction \(emoji)]"
        case .ctaURL(let text, let button, let url, let header, let footer):
            return lines(header, text, footer) + "\n[\(button)](\(url))"
        case .locationRequest(let text): return text + "\n[Send location]"
        case .work(let work):
            switch work.kind {
            case .http(let call): return "[call \(call.api) \(call.method) \(call.path) as \(work.name)]"
            case .task(let task): return "[task \(task) as \(work.name)]"
            }
        case .template(let template):
            var parts: [String] = []
            if let header = template.headerMedia { parts.append(media(header)) }
            if let header = template.headerText { parts.append(header) }
            parts += template.body.map { parameter in parameter.name.map { "\($0)=\(parameter.text)" } ?? parameter.text
            }
            parts += template.buttons.map { "\($0.kind)[\($0.index)]=\($0.value)" }
            return "[template \(template.name)]" + (parts.isEmpty ? "" : " " + parts.joined(separator: ", "))
        }
    }
}

extension OutboundMessage.Body {
    /// The titles of the message's reply buttons and list rows, by id: what a tap on one carries.
    public var choiceTitles: [String: String] {
        switch self {
        case .buttons(_, let buttons, _, _), .mediaButtons(_, let buttons, _, _):
            Dictionary(buttons.map { ($0.id, $0.title) }, uniquingKeysWith: { first, _ in first })
        case .list(_, _, let sections, _, _):
            Dictionary(sections.flatMap(\.rows).map { ($0.id, $0.title) }, uniquingKeysWith: { first, _ in first })
        default: [:]
        }
    }
}
