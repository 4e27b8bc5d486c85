import RuleEngine
import Runtime
import Testing

/// Expressions and templates, evaluated through a tiny bot so the real interpreter runs.
struct ExpressionTests {
    func render(_ template: String, text: String = "hello world") throws -> String {
        let bot = try loadBot(
            """
            vars:
              items: [a, b, c]
              labels: { image: "📷" }
            rules:
              - when: message
                do:
                  - reply: \(template)
            """)
        let evaluation = try Evaluator.evaluate(
            bot, snapshot: UserSnapshot(userID: "1"), event: .message(text, at: 1_767_263_445), now: 1_767_263_445)
        return try #require(evaluation.commit.outbox.first).displayText
    }

    @Test(arguments: [
        ("'{{ 1 + 2 * 3 }}'", "7"),
        ("'{{ 7 / 2 }} {{ 6 / 2 }} {{ 7 % 4 }}'", "3.5 3 3"),
        ("'{{ count(vars.items) }} {{ vars.items[-1] }} {{ join(last(vars.items, 2), \"+\") }}'", "3 c b+c"),
        ("'{{ upper(message.text) }} {{ truncate(message.text, 5) }}'", "HELLO WORLD hello"),
        ("'{{ message.text contains \"WORLD\" }} {{ message.text matches \"^h.*d$\" }}'", "true true"),
        ("'{{ message.caption ?? \"fallback\" }}'", "fallback"),
        ("'{{ format_time(now, \"yyyy-MM-dd HH:mm:ss\") }}'", "2026-01-01 10:30:45"),
        ("'{{ plural(1, \"message\", \"messages\") }} {{ plural(2, \"message\", \"messages\") }}'", "message messages"),
        ("'{{ if(count(vars.items) > 2, \"many\", \"few\") }}'", "many"),
        ("'{{ vars.labels[\"image\"] }}{{ vars.labels[\"video\"] ?? \"?\" }}'", "📷?"),
        ("'{{ \"a\" - 1 }}|{{ 1 / 0 }}|'", "||"),
        // What a user types reaches conversions that once trapped: none may stop the server.
        (
            "'{{ round(number(\"1e400\")) }}|{{ number(\"inf\") }}|{{ number(\"nan\") }}|{{ floor(number(\"1e300\")) }}'",
            "|||1e+300"
        ),
        (
            "'{{ truncate(\"abc\", number(\"1e300\")) }}|{{ join(first(vars.items, number(\"1e300\")), \"\") }}|{{ count(last(vars.items, number(\"-1e300\"))) }}'",
            "abc|abc|0"
        ),
        ("'{{ format_time(number(\"1e300\"), \"yyyy\") }}|{{ -9223372036854775807 - 1 }}'", "|-9223372036854775808"),
        (
            "'{{ (-9223372036854775807 - 1) % -1 }}|{{ (-9223372036854775807 - 1) / -1 }}|{{ round(number(\"1e300\"), 400) }}'",
            "0|9.22337203685478e+18|1e+300"
        ),
        // Decimals print as a person wrote them, and prices with a fixed number of decimals.
        ("'{{ 0.1 + 0.2 }}|{{ 19.2 }}|{{ 1 / 3 }}|{{ 2.5 * 4 }}'", "0.3|19.2|0.333333333333333|10"),
        (
            "'{{ format_number(19.2, 2) }}|{{ format_number(0.125, 1) }}|{{ format_number(7, 0) }}|{{ format_number(\"x\", 2) }}'",
            "19.20|0.1|7|"
        ),
    ])
    func evaluates(template: String, expected: String) throws {
        #expect(try render(template) == expected)
    }

    @Test func loopsHaveOneBasedIndexAndCount() throws {
        let text = try render("\"{{#each vars.items as x}}{{ loop.index }}/{{ loop.count }}={{ x }} {{/each}}\"")
        #expect(text == "1/3=a 2/3=b 3/3=c")
    }

    @Test func standaloneBlockTagsDropTheirLines() throws {
        let text = try render(
            "|\n                      A\n                      {{#if true}}\n                      B\n                      {{/if}}\n                      C"
        )
        #expect(text == "A\nB\nC")
    }

    @Test func messageCommandIsLowercaseAndTheTextAsTyped() throws {
        #expect(
            try render("'{{ message.command }}|{{ message.arguments }}|{{ message.text }}'", text: "/BoT Hi")
                == "/bot|Hi|/BoT Hi")
    }

    @Test func chatTextIsNotHTMLEscaped() throws {
        #expect(try render("'{{ message.text }}'", text: "<b>&\"'</b>") == "<b>&\"'</b>")
    }
}
