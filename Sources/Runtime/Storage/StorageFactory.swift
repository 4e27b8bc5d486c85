public import RuleEngine

/// Opens the storage a `StorageLocation` names.
public enum StorageFactory {
    /// The storage used when neither the command line nor the bot names one.
    public static let defaultLocation = StorageLocation.sqlite(path: "./data/rulebot.sqlite")

    /// Opens `location`; throws a one-line `RuntimeError` when it cannot be opened. SQLite and
    /// JSON files cache at most `cachedUsers` users' data in memory.
    public static func open(_ location: StorageLocation, cachedUsers: Int = SnapshotCache.defaultCapacity) throws
        -> any BotStorage
    {
        switch location {
        case .memory: return MemoryStorage()
        case .sqlite(let path): return try SQLiteStorage(path: path, cachedUsers: cachedUsers)
        case .json(let directory): return try JSONFileStorage(directory: directory, cachedUsers: cachedUsers)
        case .redis(let url): return try RedisStorage(url: url)
        }
    }
}
