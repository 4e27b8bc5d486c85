import RuleEngine

/// `reply`: text, a named template, reply buttons or a list.
struct ReplyAction: BuiltInAction {
    struct Button: Decodable, Sendable {
        var id: String
        var title: CompiledTemplate
    }

    struct Row: Decodable, Sendable {
        var id: String
        var title: CompiledTemplate
        var description: CompiledTemplate?
    }

    struct Section: Decodable, Sendable {
        var title: CompiledTemplate?
        var rows: [Row]
    }

    struct List: Decodable, Sendable {
        var button: CompiledTemplate
        var sections: [Section]
    }

    struct CallToAction: Decodable, Sendable {
        var button: CompiledTemplate
        var url: CompiledTemplate
    }

    struct Arguments: Decodable, Sendable {
        var text: CompiledTemplate?
        var namedText: String?
        var template: String?
        var quote: Bool?
        var previewURL: Bool?
        var image: MediaArgument?
        var video: MediaArgument?
        var audio: MediaArgument?
        var document: MediaArgument?
        var sticker: MediaArgument?
        var buttons: [Button]?
        var list: List?
        var ctaURL: CallToAction?
        var header: CompiledTemplate?
        var footer: CompiledTemplate?

        enum CodingKeys: String, CodingKey {
            case text, template, quote, image, video, audio, document, sticker, buttons, list, header, footer
            case namedText = "named_text", previewURL = "preview_url", ctaURL = "cta_url"
        }

        var media: (Media.Kind, MediaArgument)? {
            let all: [(Media.Kind, MediaArgument?)] = [
                (.image, image), (.video, video), (.audio, audio), (.document, document), (.sticker, sticker),
            ]
            return all.lazy.compactMap { kind, media in media.map { (kind, $0) } }.first
        }
    }

    static let name = "reply"

    func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
        let named = (arguments.namedText ?? arguments.template).flatMap { context.bot.graph.templates[$0] }
        // Block scalars (`|`) end with a newline that the user should not see.
        let text = (arguments.text ?? named).map { context.render($0).trimmingTrailingWhitespace }
        let header = arguments.header.map { context.render($0) }
        let footer = arguments.footer.map { context.render($0) }
        let quote = arguments.quote ?? false
        let buttons = arguments.buttons.map { buttons in
            buttons.map { OutboundMessage.Button(id: $0.id, title: context.render($0.title)) }
        }
        if let (kind, argument) = arguments.media {
            let media = argument.render(kind, in: context)
            if let buttons, !buttons.isEmpty {
                context.send(
                    .mediaButtons(text: text ?? "", buttons: buttons, media: media, footer: footer), quote: quote)
            } else {
                context.send(.media(media, caption: kind.takesCaption ? text : nil), quote: quote)
            }
        } else if let buttons, !buttons.isEmpty {
            context.send(.buttons(text: text ?? "", buttons: buttons, header: header, footer: footer), quote: quote)
        } else if let list = arguments.list {
            let sections = list.sections.map { section in
                OutboundMessage.ListSection(
                    title: section.title.map { context.render($0) },
                    rows: section.rows.map {
                        OutboundMessage.ListRow(
                            id: $0.id, title: context.render($0.title),
                            description: $0.description.map { context.render($0) })
                    })
            }
            context.send(
                .list(
                    text: text ?? "", button: context.render(list.button), sections: sections, header: header,
                    footer: footer),
                quote: quote)
        } else if let cta = arguments.ctaURL {
            context.send(
                .ctaURL(
                    text: text ?? "", button: context.render(cta.button), url: context.render(cta.url), header: header,
                    footer: footer),
                quote: quote)
        } else {
            context.send(.text(text ?? ""), quote: quote, previewURL: arguments.previewURL)
        }
    }
}

/// A media argument: a link or media id as text (an https URL is a link), or `{link|id, filename}`.
struct MediaArgument: Decodable, Sendable {
    var source: CompiledTemplate
    /// True for `link:`, false for `id:`, nil to decide by the rendered text.
    var isLink: Bool?
    var filename: CompiledTemplate?

    init(from decoder: any Decoder) throws {
        let value = try Value(from: decoder)
        if let text = value.string {
            source = try CompiledTemplate(text)
        } else if let link = value["link"].string {
            (source, isLink) = (try CompiledTemplate(link), true)
        } else {
            (source, isLink) = (try CompiledTemplate(value["id"].string ?? ""), false)
        }
        filename = try value["filename"].string.map { try CompiledTemplate($0) }
    }

    func render(_ kind: Media.Kind, in context: ActionContext) -> Media {
        let text = context.render(source)
        var media = Media(kind, source: text, filename: filename.map { context.render($0) })
        switch isLink {
        case true?: (media.link, media.id) = (text, nil)
        case false?: (media.link, media.id) = (nil, text)
        case nil: break
        }
        return media
    }
}

/// `mark_read`: blue ticks for the user's message, optionally with a typing indicator.
struct MarkReadAction: BuiltInAction {
    struct Arguments: Decodable, Sendable {
        var typing: Bool?
    }

    static let name = "mark_read"

    func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
        guard case .message(let message) = context.event.kind else { return }
        context.send(.markRead(messageID: message.id, typing: arguments.typing ?? false))
    }
}

/// `stop`: no further rules for this event.
struct StopAction: BuiltInAction {
    struct Arguments: Decodable, Sendable {}

    static let name = "stop"

    func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
        context.stop()
    }
}

extension String {
    fileprivate var trimmingTrailingWhitespace: String {
        String(self[..<(lastIndex { !$0.isWhitespace }.map(index(after:)) ?? startIndex)])
    }
}
