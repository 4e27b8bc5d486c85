/// Reads a checked YAML tree into a `BotDocument`, tolerating the errors already reported.
struct BotReader {
    let file: String
    let catalog: ActionCatalog

    func read(_ root: SyntaxNode, defaultName: String) -> BotDocument {
        var document = BotDocument(file: file, name: root["bot"]?.scalar ?? defaultName)
        document.catalog = catalog
        if let zone = root["timezone"]?.scalar { document.timeZone = zone }
        document.storage = root["storage"]?.scalar.flatMap(StorageLocation.init)
        document.phoneNumberID = root["phone_number_id"]?.scalar
        document.throughput = root["throughput"]?.scalar.flatMap { Int($0) }
        for pair in root["states"]?.pairs ?? [] {
            guard let name = pair.key.scalar else { continue }
            document.states.append(
                .init(
                    name: name, location: pair.key.location,
                    isInitial: pair.value["initial"]?.scalar?.lowercased() == "true",
                    timeToLive: pair.value["ttl"]?.scalar.flatMap(DurationText.seconds)))
        }
        for pair in root["timers"]?.pairs ?? [] {
            guard let name = pair.key.scalar else { continue }
            let text = pair.value.scalar ?? pair.value["after"]?.scalar ?? ""
            document.timers.append(
                .init(name: name, location: pair.key.location, duration: DurationText.seconds(text) ?? 0))
        }
        for pair in (root["texts"]?.pairs ?? []) + (root["templates"]?.pairs ?? []) {
            guard let name = pair.key.scalar, let source = pair.value.scalar else { continue }
            document.templates.append(
                .init(name: name, source: source, location: pair.key.location, sourceLocation: pair.value.location))
        }
        for pair in root["whatsapp_templates"]?.pairs ?? [] {
            guard let name = pair.key.scalar else { continue }
            let body = pair.value["body"]
            let template = WhatsAppTemplate(
                name: name, language: pair.value["language"]?.scalar ?? "",
                header: pair.value["header"]?.scalar,
                bodyCount: body?.scalar.flatMap { Int($0) } ?? body?.items?.count ?? 0,
                bodyNames: body?.items?.compactMap(\.scalar),
                buttons: pair.value["buttons"]?.items?.compactMap(\.scalar) ?? [])
            document.whatsAppTemplates.append(.init(name: name, location: pair.key.location, template: template))
        }
        document.sensitive = (root["sensitive"]?.items ?? []).compactMap(\.scalar)
        for pair in root["apis"]?.pairs ?? [] {
            guard let name = pair.key.scalar else { continue }
            var headers: [String: String] = [:]
            for header in pair.value["headers"]?.pairs ?? [] {
                if let key = header.key.scalar, let value = header.value.scalar { headers[key] = value }
            }
            let api = APIDeclaration(
                name: name, baseURL: pair.value["base_url"]?.scalar ?? "", headers: headers,
                timeout: pair.value["timeout"]?.scalar.flatMap(DurationText.seconds) ?? 10,
                attempts: pair.value["attempts"]?.scalar.flatMap { Int($0) } ?? 3,
                allowPrivate: pair.value["allow_private"]?.scalar == "true")
            document.apis.append(.init(name: name, location: pair.key.location, api: api))
        }
        for pair in root["vars"]?.pairs ?? [] {
            if let name = pair.key.scalar { document.vars[name] = ValueLowering.data(pair.value) }
        }
        for (index, node) in (root["rules"]?.items ?? []).enumerated() {
            document.rules.append(readRule(node, index: index))
        }
        return document
    }

    private func readRule(_ node: SyntaxNode, index: Int) -> BotDocument.RuleDecl {
        let states: [(String, SourceLocation)] =
            if let inNode = node["in"] {
                (inNode.items ?? [inNode]).compactMap { item in item.scalar.map { ($0, item.location) } }
            } else {
                []
            }
        let whenNode = node["when"]
        let actions = (node["do"]?.items ?? []).compactMap(readAction)
        return BotDocument.RuleDecl(
            id: node["id"]?.scalar ?? "rule-\(index + 1)",
            location: node.location,
            trigger: whenNode.flatMap(TriggerReader.read),
            triggerLocation: whenNode?.location ?? node.location,
            states: states,
            condition: node["if"]?.scalar,
            conditionLocation: node["if"]?.location,
            actions: actions,
            continues: node["continue"]?.scalar?.lowercased() == "true",
            fallback: node["fallback_template"].flatMap { value in
                guard let spec = catalog.specs["send_template"] else { return nil }
                return .init(
                    name: "send_template", arguments: spec.canonical(ValueLowering.lower(value, spec.arguments)),
                    location: value.location)
            })
    }

    private func readAction(_ item: SyntaxNode) -> BotDocument.ActionDecl? {
        let name: String
        let arguments: SyntaxNode?
        if let word = item.scalar {
            (name, arguments) = (word, nil)
        } else if let pair = item.pairs?.first, let word = pair.key.scalar {
            (name, arguments) = (word, pair.value)
        } else {
            return nil
        }
        guard let spec = catalog.specs[name] else { return nil }
        let value = arguments.map { ValueLowering.lower($0, spec.arguments) } ?? .null
        return .init(name: name, arguments: spec.canonical(value), location: item.location)
    }
}
