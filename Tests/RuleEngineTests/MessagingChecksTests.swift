import Foundation
import RuleEngine
import Testing

/// The compiler's WhatsApp checks beyond the golden diagnostics: where the 24-hour warning is
/// and is not due, and how template parameters are matched with their declaration.
struct MessagingChecksTests {
    func ids(_ source: String) -> [String] {
        BotCompiler().compile(source: source, file: "bot.yaml").diagnostics.map(\.id)
    }

    @Test func aShortTimerStartedByMessagesStaysInsideTheWindow() {
        let bot = """
            timers: { nudge: 23h }
            rules:
              - when: message
                do: [{ start_timer: nudge }]
              - when: { timer: nudge }
                do: [{ reply: still there? }]
            """
        #expect(!ids(bot).contains("outside-service-window"))
        // Restarted by its own firing, the timer chains past 24 hours.
        let chained = bot.replacingOccurrences(
            of: "do: [{ reply: still there? }]", with: "do: [{ reply: still there? }, { restart_timer: nudge }]")
        #expect(ids(chained).contains("outside-service-window"))
        // Started at a computed time, it may fire any time.
        let computed = bot.replacingOccurrences(
            of: "do: [{ start_timer: nudge }]", with: "do: [{ start_timer: { timer: nudge, at: \"=now + 90000\" } }]")
        #expect(ids(computed).contains("outside-service-window"))
        // Long but with a fallback template: nothing to warn about.
        let withFallback = """
            whatsapp_templates: { nudge_tpl: { language: en } }
            timers: { nudge: 48h }
            rules:
              - when: message
                do: [{ start_timer: nudge }]
              - when: { timer: nudge }
                fallback_template: nudge_tpl
                do: [{ reply: still there? }]
            """
        #expect(!ids(withFallback).contains("outside-service-window"))
        #expect(ids("rules:\n  - when: send_failed\n    do: [{ reply: sorry }]\n").contains("outside-service-window"))
        #expect(
            ids(
                "rules:\n  - when: status\n    do: [{ send_template: t }]\nwhatsapp_templates: { t: { language: en } }\n"
            ).isEmpty)
    }

    @Test func templateParametersMatchTheirDeclaration() {
        let declared = """
            whatsapp_templates:
              update: { language: de, header: image, body: 2, buttons: [quick_reply, url] }
            rules:
              - when: message
                do:
                  - send_template:
            """
        func problems(_ arguments: String) -> [String] {
            BotCompiler().compile(source: declared + arguments, file: "bot.yaml").diagnostics
                .filter { $0.id == "template-parameters" }.map(\.message)
        }
        let good =
            "\n          name: update\n          header: { image: \"810\" }\n          body: [a, b]\n          buttons: [{ payload: p }, { url_suffix: s }]\n"
        #expect(problems(good).isEmpty)
        #expect(
            problems(good.replacingOccurrences(of: "[a, b]", with: "[a]")) == [
                "template 'update': its body takes 2 parameter(s), 1 given"
            ])
        #expect(
            problems(good.replacingOccurrences(of: "{ image: \"810\" }", with: "Hello")).first?.contains("an image")
                == true)
        #expect(
            problems(good.replacingOccurrences(of: "[{ payload: p }, { url_suffix: s }]", with: "[{ url_suffix: s }]"))
                .first?.contains("quick reply") == true)
        #expect(
            problems(good.replacingOccurrences(of: "[a, b]", with: "{ a: x, b: y }")).first?.contains("positional")
                == true)
    }

    @Test func everyNewKindCompilesWithoutComplaint() {
        let bot = """
            whatsapp_templates: { hello_world: { language: en_US } }
            texts: { menu: "Our menu" }
            rules:
              - when: message
                do:
                  - typing
                  - reply: { image: "https://x.example/p.jpg", named_text: menu, buttons: [{ id: a, title: A }] }
                  - reply: { document: { id: "{{ message.media_id }}", filename: m.pdf }, text: here }
                  - reply: { text: "https://x.example", preview_url: true }
                  - reply: { text: Track it, cta_url: { button: Track, url: "https://x.example/t" } }
                  - send_location: { latitude: 40.4, longitude: "=-3.7", name: Sol }
                  - send_contacts: [{ name: Mira, phone: "+1 415 555 0123" }]
                  - react: "👍"
                  - react: ""
                  - request_location: Where are you?
                  - send_template: hello_world
                  - reply: "{{ message.location.name }} {{ message.order.items }} {{ window.closes_at }} {{ parse_time('2026-01-01') }}"
            """
        let diagnostics = BotCompiler().compile(source: bot, file: "bot.yaml").diagnostics
        #expect(diagnostics.isEmpty, "\(DiagnosticRenderer(source: bot).render(diagnostics))")
    }
}
