/// WhatsApp's rules for what one message may combine, checked where the message is written:
/// which media take a caption or can head buttons, how long a caption or interactive body may
/// be, how many rows a list has in all, unique ids, https links, coordinates on the globe.
extension ShapeChecker {
    /// Checks the arguments of a message-sending built-in after their shape was checked.
    mutating func checkMessage(_ action: String, _ node: SyntaxNode) {
        switch action {
        case "reply": checkReply(node)
        case "send_location":
            checkCoordinate(node["latitude"], limit: 90, name: "latitude")
            checkCoordinate(node["longitude"], limit: 180, name: "longitude")
        case "send_template", "fallback_template":
            if let header = node["header"] { for pair in header.pairs ?? [] { checkLink(pair.value) } }
        default: break
        }
    }

    private mutating func checkReply(_ node: SyntaxNode) {
        guard node.pairs != nil else { return }
        let mediaKey = BuiltInActionSpecs.mediaKinds.first { node[$0] != nil }
        let interactive = ["buttons", "list", "cta_url"].first { node[$0] != nil }
        if let mediaKey, let media = node[mediaKey] {
            checkLink(media.scalar != nil ? media : media["link"])
            if let interactive {
                if interactive != "buttons" || !["image", "video", "document"].contains(mediaKey) {
                    diagnostics.report(
                        "media-header-not-allowed",
                        interactive == "buttons"
                            ? "reply buttons can have an image, video or document above them, not \(mediaKey == "audio" ? "an" : "a") \(mediaKey)"
                            : "a \(interactive == "list" ? "list" : "link button") message cannot show \(mediaKey == "image" ? "an" : "a") \(mediaKey); send it in its own reply",
                        at: media.location)
                }
            } else if !["image", "video", "document"].contains(mediaKey), let text = node["text"] {
                diagnostics.report(
                    "caption-not-allowed",
                    "WhatsApp shows no caption under \(mediaKey == "audio" ? "an" : "a") \(mediaKey); send the text in its own reply",
                    at: text.location)
            }
            if mediaKey != "document", media["filename"] != nil, let filename = media["filename"] {
                diagnostics.report(
                    "unknown-key", "only a document has a file name", at: filename.location)
            }
        }
        if let interactive, node["text"] == nil, node["named_text"] == nil, node["template"] == nil {
            diagnostics.report(
                "missing-key",
                "\(interactive == "list" ? "a list" : interactive == "buttons" ? "reply buttons" : "a link button") need a text above them",
                at: node.location, notes: ["add text: to the reply"])
        }
        if let text = node["text"], mediaKey != nil || interactive != nil {
            let limit = interactive != nil ? WhatsAppLimits.interactiveBody : WhatsAppLimits.caption
            if let template = compiled.templates[text.location], template.literalLength > limit {
                diagnostics.report(
                    interactive != nil ? "text-too-long" : "caption-too-long",
                    "text is \(template.literalLength) characters; WhatsApp allows at most \(limit) "
                        + (interactive != nil ? "above buttons, a list or a link button" : "in a caption"),
                    at: text.location)
            }
        }
        if let header = node["header"], mediaKey != nil, interactive == "buttons" {
            diagnostics.report(
                "conflicting-keys", "the \(mediaKey ?? "media") is the header already; remove header:",
                at: header.location)
        }
        if let cta = node["cta_url"] { checkLink(cta["url"], required: true) }
        checkChoices(node)
    }

    /// Unique button and row ids and titles, and at most 10 rows across a list's sections.
    private mutating func checkChoices(_ node: SyntaxNode) {
        var items: [SyntaxNode] = node["buttons"]?.items ?? []
        var rowCount = 0
        let sections = node["list"]?["sections"]?.items ?? []
        // A section over the limit is reported by its own shape already.
        let eachFits = sections.allSatisfy { ($0["rows"]?.items?.count ?? 0) <= WhatsAppLimits.listRows }
        for section in sections {
            for row in section["rows"]?.items ?? [] {
                rowCount += 1
                items.append(row)
                if rowCount == WhatsAppLimits.listRows + 1, eachFits {
                    diagnostics.report(
                        "too-many-rows",
                        "a list has at most \(WhatsAppLimits.listRows) rows across all its sections", at: row.location)
                }
            }
        }
        for key in ["id", "title"] {
            var seen: Set<String> = []
            for item in items {
                guard let value = item[key], let text = value.scalar else { continue }
                if !seen.insert(text).inserted {
                    diagnostics.report(
                        "duplicate-\(key)", "'\(text)' is used twice; each \(key) in one message must be different",
                        at: value.location)
                }
            }
        }
    }

    /// A literal link must be https (WhatsApp downloads media and opens buttons only over https).
    private mutating func checkLink(_ node: SyntaxNode?, required: Bool = false) {
        guard let node, let text = node.scalar, !text.contains("{{") else { return }
        if text.lowercased().hasPrefix("http://") {
            diagnostics.report(
                "insecure-link", "WhatsApp only fetches https links", at: node.location,
                suggestion: "https://" + text.dropFirst("http://".count))
        } else if required, !text.lowercased().hasPrefix("https://") {
            diagnostics.report("invalid-link", "'\(text)' is not an https URL", at: node.location)
        }
    }

    private mutating func checkCoordinate(_ node: SyntaxNode?, limit: Double, name: String) {
        guard let node, let text = node.scalar, !text.hasPrefix("=") else { return }
        guard let value = Double(text), abs(value) <= limit else {
            diagnostics.report(
                "invalid-value", "'\(text)' is not a \(name); it must be a number from -\(Int(limit)) to \(Int(limit))",
                at: node.location)
            return
        }
    }
}
