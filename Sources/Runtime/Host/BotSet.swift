import Synchronization

/// The bots a host runs, swappable one at a time for hot reload: an event that already took
/// its bot keeps it to the end; the next event gets the new one.
public final class BotSet: Sendable {
    private let bots: Mutex<[String: LoadedBot]>

    /// A set holding `bots`.
    public init(_ bots: [LoadedBot] = []) {
        self.bots = Mutex(Dictionary(bots.map { ($0.name, $0) }, uniquingKeysWith: { $1 }))
    }

    /// The bot called `name`.
    public subscript(name: String) -> LoadedBot? {
        bots.withLock { $0[name] }
    }

    /// Installs `bot`, replacing the one of the same name; returns the old one.
    @discardableResult
    public func install(_ bot: LoadedBot) -> LoadedBot? {
        bots.withLock { $0.updateValue(bot, forKey: bot.name) }
    }

    /// Every bot.
    public var all: [LoadedBot] {
        bots.withLock { Array($0.values) }.sorted { $0.name < $1.name }
    }
}
