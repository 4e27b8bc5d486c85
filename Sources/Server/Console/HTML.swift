/// Building console pages: every piece of data goes through `escape`, so nothing a user typed
/// (a name, a message) can become markup. The JUnit report escapes with it too.
enum HTML {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A whole page: the title, the navigation when logged in, and the body.
    static func page(title: String, body: String, loggedIn: Bool = true, csrf: String? = nil) -> String {
        let nav =
            loggedIn
            ? """
            <nav aria-label="Console"><a href="/admin/">Bots</a> <a href="/admin/users">Users</a> \
            <form method="post" action="/admin/logout" class="inline">\(csrfField(csrf))<button type="submit">Log out</button></form></nav>
            """ : ""
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) · RuleBot</title>
            <style>\(style)</style></head>
            <body><header><strong>RuleBot</strong> \(nav)</header><main><h1>\(escape(title))</h1>
            \(body)
            </main></body></html>
            """
    }

    static func csrfField(_ csrf: String?) -> String {
        csrf.map { "<input type=\"hidden\" name=\"csrf\" value=\"\(escape($0))\">" } ?? ""
    }

    /// A small stylesheet: readable on a phone, high contrast, visible focus.
    static let style = """
        body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#111;background:#fff}
        header{display:flex;flex-wrap:wrap;gap:1em;align-items:center;padding:.6em 1em;background:#0b3d2e;color:#fff}
        header a,header button{color:#fff}nav{display:flex;gap:1em;align-items:center;flex-wrap:wrap}
        main{padding:1em;max-width:60em;margin:auto}h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.5em}
        a{color:#0b57d0}a:focus,button:focus,input:focus,select:focus{outline:3px solid #f9a825;outline-offset:2px}
        table{border-collapse:collapse;width:100%;display:block;overflow-x:auto}td,th{border-bottom:1px solid #ccc;
        padding:.3em .5em;text-align:left;vertical-align:top}pre{white-space:pre-wrap;background:#f4f4f4;padding:.5em}
        button{font:inherit;padding:.3em .8em;border:1px solid #0b3d2e;background:#0b3d2e;color:#fff;border-radius:4px}
        button.danger{background:#b00020;border-color:#b00020}input,select{font:inherit;padding:.3em}
        form.inline{display:inline}.actions{display:flex;flex-wrap:wrap;gap:.5em;margin:.5em 0}
        .fired{color:#0a6b2c}.skipped{color:#555}.event{border-left:4px solid #0b3d2e;padding-left:.8em;margin:1em 0}
        .graph svg{max-width:100%;height:auto}.reply{white-space:pre-wrap;background:#f4f4f4;padding:0 .3em}.note{color:#8a4b00}.error{color:#b00020}label{display:block;margin:.5em 0 .2em}
        """
}
