import Crypto
import Foundation
import Logging
import RuleEngine
import Runtime
import Synchronization

/// The bot files a server runs: compiles them, routes events to them, and hot-reloads them.
///
/// A reload compiles the new version first. On errors the old bot keeps serving and the
/// diagnostics are logged exactly as `rulebot check` prints them. On success the new graph is
/// swapped in: events already running finish on the old graph, later ones use the new one;
/// users in removed states go back to the initial state and removed timers are cancelled.
final class BotLibrary: Sendable {
    /// What is known about one file.
    struct FileStatus: Sendable, Codable {
        var file: String
        var bot: String?
        var hash: String?
        var loadedAt: Double?
        var lastError: String?
        var phoneNumberID: String?
        var throughput: Int?
        /// Set after a rollback: the version running instead of the file's.
        var rolledBackTo: String?
    }

    /// One entry of the reload history.
    struct HistoryEntry: Sendable, Codable {
        var at: Double
        var file: String
        var result: String
        var version: String?
    }

    /// What a reload would do to one file, without doing it.
    struct DryRun: Sendable, Codable {
        var file: String
        var bot: String?
        var result: String
        var error: String?
        var diff: GraphDiff?
        var impact: DeployImpact?
    }

    /// What one reload did to one file.
    enum Outcome: Sendable, Equatable {
        case unchanged, reloaded, failed(String)
    }

    let paths: [String]
    let registry: ActionRegistry
    let bots: BotSet
    let storage: any BotStorage
    let metrics: ServerMetrics
    let logger: Logger
    let time: any TimeSource
    private let files = Mutex<[String: FileStatus]>([:])
    /// The last reloads, failures and rollbacks, newest last.
    private let log = Mutex<[HistoryEntry]>([])
    /// The version each bot ran before its last reload, for a rollback.
    private let previous = Mutex<[String: LoadedBot]>([:])
    /// Which bot answers which business number, rebuilt on every (re)load, read per webhook.
    private let routes = Mutex(Routes())

    private struct Routes {
        var byPhoneNumberID: [String: String] = [:]
        var fallback: String?
    }
    /// One reload at a time, whatever asked for it: file polling, SIGHUP, the admin route, another instance.
    private let reloads = KeyedSerialQueue<Int>()
    private let waiting = Atomic<Int>(0)
    /// The send rate per business number, which a bot's `throughput:` sets.
    let rates: SendRates
    /// The number a bot that declares none sends from.
    let defaultNumber: String?

    /// Bounds every loaded bot's evaluations get.
    let limits: RuntimeLimits

    init(
        paths: [String], registry: ActionRegistry, bots: BotSet, storage: any BotStorage, metrics: ServerMetrics,
        time: any TimeSource, logger: Logger, limits: RuntimeLimits = .default, rates: SendRates = SendRates(),
        defaultNumber: String? = nil
    ) {
        self.rates = rates
        self.defaultNumber = defaultNumber
        self.limits = limits
        self.paths = paths
        self.registry = registry
        self.bots = bots
        self.storage = storage
        self.metrics = metrics
        self.time = time
        self.logger = logger
    }

    /// Loads every file; throws with the rendered diagnostics when one does not compile.
    func loadAll() throws {
        var problems: [String] = []
        for path in paths {
            let file = try BotFile.load(path, registry: registry)
            guard let graph = file.result.graph else {
                problems.append(file.renderedDiagnostics + file.summary)
                continue
            }
            bots.install(
                try LoadedBot(graph: graph, registry: registry, limits: limits, version: Self.hash(file.source)))
            record(path, graph: graph, source: file.source)
        }
        if !problems.isEmpty { throw CLIError(problems.joined()) }
    }

    /// Reloads files whose content changed, after any reload already running; returns what
    /// happened to each file.
    @discardableResult
    func reload(trigger: String) async -> [String: Outcome] {
        waiting.add(1, ordering: .relaxed)
        return await reloads.run(0) {
            self.waiting.subtract(1, ordering: .relaxed)
            var outcomes: [String: Outcome] = [:]
            for path in self.paths { outcomes[path] = await self.reload(path, trigger: trigger) }
            return outcomes
        }
    }

    private func reload(_ path: String, trigger: String) async -> Outcome {
        let source: String
        do { source = try BotFile.readSource(path) } catch {
            return fail(path, "\(error); the loaded version keeps running")
        }
        // An untouched file is never recompiled.
        guard Self.hash(source) != files.withLock({ $0[path]?.hash }) else { return .unchanged }
        let file = BotFile.compile(path, source: source, registry: registry)
        guard let graph = file.result.graph else { return fail(path, file.renderedDiagnostics) }
        let bot: LoadedBot
        do { bot = try LoadedBot(graph: graph, registry: registry, limits: limits, version: Self.hash(source)) } catch {
            return fail(path, "\(error)")
        }
        let previous = bots.install(bot)
        if let previous { self.previous.withLock { $0[graph.name] = previous } }
        record(path, graph: graph, source: source)
        remember(path, "reloaded", version: bot.version)
        metrics.count("rulebot_reloads_total", [("result", "ok")])
        var log = logger
        log[metadataKey: "bot.name"] = "\(graph.name)"
        if let previous {
            do {
                let counts = try await storage.migrate(
                    bot: graph.name, keepingStates: Set(graph.states.map(\.name)),
                    keepingTimers: Set(graph.timers.map(\.name)))
                let removedStates = Set(previous.graph.states.map(\.name)).subtracting(graph.states.map(\.name))
                let removedTimers = Set(previous.graph.timers.map(\.name)).subtracting(graph.timers.map(\.name))
                log.info(
                    "bot reloaded",
                    metadata: [
                        "trigger": "\(trigger)", "file": "\(path)", "removed.states": "\(removedStates.sorted())",
                        "users.moved.to.initial": "\(counts.users)", "removed.timers": "\(removedTimers.sorted())",
                        "timers.cancelled": "\(counts.timers)",
                    ])
            } catch {
                log.error(
                    "bot reloaded, but moving users out of removed states failed", metadata: ["error": "\(error)"])
            }
        } else {
            log.info("bot loaded", metadata: ["file": "\(path)"])
        }
        return .reloaded
    }

    /// The last 20 reloads, failures and rollbacks, newest first.
    var history: [HistoryEntry] { log.withLock { $0.reversed() } }

    private func remember(_ path: String, _ result: String, version: String?) {
        log.withLock { entries in
            entries.append(HistoryEntry(at: time.now(), file: path, result: result, version: version))
            if entries.count > 20 { entries.removeFirst(entries.count - 20) }
        }
    }

    private func fail(_ path: String, _ message: String) -> Outcome {
        remember(path, "failed", version: nil)
        files.withLock { $0[path, default: FileStatus(file: path)].lastError = message }
        metrics.count("rulebot_reloads_total", [("result", "failed")])
        logger.error("reload failed; the previous version keeps running\n\(message)", metadata: ["file": "\(path)"])
        return .failed(message)
    }

    private func record(_ path: String, graph: RuleGraph, source: String) {
        let all = files.withLock {
            $0[path] = FileStatus(
                file: path, bot: graph.name, hash: Self.hash(source), loadedAt: time.now(), lastError: nil,
                phoneNumberID: graph.phoneNumberID, throughput: graph.throughput, rolledBackTo: nil)
            return $0
        }
        let loaded = paths.compactMap { all[$0] }.filter { $0.bot != nil }
        var table = Routes()
        for status in loaded {
            if let id = status.phoneNumberID, let bot = status.bot, table.byPhoneNumberID[id] == nil {
                table.byPhoneNumberID[id] = bot
            }
        }
        // The only bot that declares no number answers the rest; so does a lone bot.
        let undeclared = loaded.filter { $0.phoneNumberID == nil }
        table.fallback = undeclared.count == 1 ? undeclared[0].bot : loaded.count == 1 ? loaded[0].bot : nil
        routes.withLock { $0 = table }
        var throughput: [String: Double] = [:]
        for status in loaded {
            if let rate = status.throughput, let number = status.phoneNumberID ?? defaultNumber {
                throughput[number] = Double(rate)
            }
        }
        rates.setRates(byNumber: throughput)
    }

    /// What reloading every file would change: the removed states, timers and keys of each,
    /// and how many live users each touches. Nothing is installed or migrated.
    func dryRun() async -> [DryRun] {
        var results: [DryRun] = []
        for path in paths {
            let source: String
            do { source = try BotFile.readSource(path) } catch {
                results.append(DryRun(file: path, result: "failed", error: "\(error)"))
                continue
            }
            if Self.hash(source) == files.withLock({ $0[path]?.hash }) {
                results.append(DryRun(file: path, bot: files.withLock { $0[path]?.bot }, result: "unchanged"))
                continue
            }
            let file = BotFile.compile(path, source: source, registry: registry)
            guard let graph = file.result.graph else {
                results.append(DryRun(file: path, result: "failed", error: file.renderedDiagnostics))
                continue
            }
            guard let running = bots[graph.name] else {
                results.append(DryRun(file: path, bot: graph.name, result: "new"))
                continue
            }
            let diff = GraphDiff(from: running.graph, to: graph)
            let impact = try? await DeployImpact.measure(diff, bot: graph.name, storage: storage, now: time.now())
            results.append(DryRun(file: path, bot: graph.name, result: "would reload", diff: diff, impact: impact))
        }
        return results
    }

    /// Puts back the version of `bot` that ran before the last reload (a second rollback goes
    /// forward again). The file is left as it is and not reloaded until it changes again.
    func rollback(bot name: String) throws -> String {
        guard let earlier = previous.withLock({ $0[name] }) else {
            throw CLIError("no earlier version of '\(name)' is kept (it was not reloaded since the start)")
        }
        let current = bots.install(earlier)
        previous.withLock { $0[name] = current }
        let paths = files.withLock { files in
            let paths = files.filter { $0.value.bot == name }.map(\.key)
            for path in paths { files[path]?.rolledBackTo = earlier.version }
            return paths
        }
        for path in paths { remember(path, "rolled back", version: earlier.version) }
        metrics.count("rulebot_rollbacks_total", [("bot", name)])
        logger.warning(
            "bot rolled back", metadata: ["bot.name": "\(name)", "version": "\(earlier.version)"])
        return earlier.version
    }

    /// Reloads waiting for the one running.
    var reloadsWaiting: Int { waiting.load(ordering: .relaxed) }

    /// Every file's status, in command-line order.
    var status: [FileStatus] {
        let all = files.withLock { $0 }
        return paths.map { all[$0] ?? FileStatus(file: $0) }
    }

    /// The bot that answers a business number: the one declaring it, else the only bot that
    /// declares none, else the only bot.
    func route(phoneNumberID: String?) -> String? {
        routes.withLock { routes in
            phoneNumberID.flatMap { routes.byPhoneNumberID[$0] } ?? routes.fallback
        }
    }

    static func hash(_ source: String) -> String {
        SHA256.hash(data: Data(source.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}
