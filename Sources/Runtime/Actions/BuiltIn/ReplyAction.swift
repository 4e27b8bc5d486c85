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

    struct Arguments: Decodable, Sendable {
        var text: CompiledTemplate?
        var template: String?
        var quote: Bool?
        var buttons: [Button]?
        var list: List?
        var header: CompiledTemplate?
        var footer: CompiledTemplate?
    }

    static let name = "reply"

    func perform(_ arguments: Arguments, in context: inout ActionContext) throws {
        let template = arguments.text ?? arguments.template.flatMap { context.bot.graph.templates[$0] }
        // Block scalars (`|`) end with a newline that the user should not see.
        let text = (template.map { context.render($0) } ?? "").trimmingTrailingWhitespace
        let header = arguments.header.map { context.render($0) }
        let footer = arguments.footer.map { context.render($0) }
        let quote = arguments.quote ?? false
        if let buttons = arguments.buttons, !buttons.isEmpty {
            let rendered = buttons.map { OutboundMessage.Button(id: $0.id, title: context.render($0.title)) }
            context.send(.buttons(text: text, buttons: rendered, header: header, footer: footer), quote: quote)
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
                    text: text, button: context.render(list.button), sections: sections, header: header, footer: footer),
                quote: quote)
        } else {
            context.send(.text(text), quote: quote)
        }
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
