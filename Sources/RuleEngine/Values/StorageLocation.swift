/// Where a bot's data lives, parsed from a storage URL such as `sqlite:./data/rulebot.sqlite`.
public enum StorageLocation: Sendable, Hashable, CustomStringConvertible {
    /// In memory, lost on exit (tests and quick trials).
    case memory
    /// One SQLite file.
    case sqlite(path: String)
    /// One JSON file per key under a directory.
    case json(directory: String)
    /// A Redis server shared by several instances.
    case redis(url: String)

    /// Parses a storage URL; nil when it names no known backend.
    public init?(_ text: String) {
        if text == "memory" || text == "memory:" {
            self = .memory
        } else if text.hasPrefix("sqlite:"), text.count > 7 {
            self = .sqlite(path: String(text.dropFirst(7)))
        } else if text.hasPrefix("json:"), text.count > 5 {
            self = .json(directory: String(text.dropFirst(5)))
        } else if text.hasPrefix("redis://") || text.hasPrefix("rediss://") {
            self = .redis(url: text)
        } else {
            return nil
        }
    }

    /// The URL form.
    public var description: String {
        switch self {
        case .memory: "memory"
        case .sqlite(let path): "sqlite:\(path)"
        case .json(let directory): "json:\(directory)"
        case .redis(let url): url
        }
    }

    /// A short name for the backend kind: Memory, SQLite, JSON or Redis.
    public var kindName: String {
        switch self {
        case .memory: "Memory"
        case .sqlite: "SQLite"
        case .json: "JSON"
        case .redis: "Redis"
        }
    }
}

extension StorageLocation: Codable {
    /// Decodes from the URL form.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let location = StorageLocation(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "bad storage '\(text)'"))
        }
        self = location
    }

    /// Encodes as the URL form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
