import Logging
import RuleEngine
import Synchronization

/// Runs bots: for each event, loads the user's data, evaluates, commits data, state, timers,
/// outbox and inbox removal in one transaction, then hands the outbox to the dispatcher, which
/// sends apart from processing (or before `handle` returns, with `.inline` sending).
///
/// Events of one user are processed strictly one at a time in submission order; different
/// users run concurrently. A failing event is logged and dropped without touching any other
/// user, and leaves no partial writes (its commit is never made).
public final class BotHost: Sendable {
    /// The bots, swappable for hot reload.
    public let bots: BotSet
    /// Where data lives.
    public let storage: any BotStorage
    /// The clock.
    public let time: any TimeSource
    /// Delivers committed messages.
    public let dispatcher: OutboxDispatcher
    /// Whether `handle` waits for the event's replies to be sent.
    public let sending: Sending
    /// How many decision traces are kept per user, and for how long.
    public let traceSettings: TraceSettings
    let observer: any HostObserver
    let logger: Logger
    private let queue = KeyedSerialQueue<UserKey>()
    /// Failed attempts of inbox events whose commit failed, by event id (this process only).
    private let failedAttempts = Mutex<[String: Int]>([:])
    /// Attempts after which an inbox event that keeps failing moves to the dead letters, so a
    /// storage error tied to one event (Redis retries every few seconds) is not retried forever.
    public static let maximumAttempts = 5

    /// When replies are sent.
    public enum Sending: Sendable {
        /// `handle` sends the event's replies before it returns: the simulator, conversation tests.
        case inline
        /// `handle` returns after the commit; the dispatcher's own loop (`run()`) sends: a server.
        case background
    }

    /// A host that sends each event's replies before `handle` returns, without a rate limit.
    public convenience init(
        bots: BotSet, storage: any BotStorage, sender: any MessageSender, time: any TimeSource,
        observer: any HostObserver = NoObserver(), logger: Logger = Logger(label: "rulebot")
    ) {
        self.init(
            bots: bots, storage: storage,
            dispatcher: OutboxDispatcher(
                storage: storage, sender: sender, time: time, observer: observer, logger: logger),
            sending: .inline, time: time, observer: observer, logger: logger)
    }

    /// A host whose replies go through `dispatcher`.
    public init(
        bots: BotSet, storage: any BotStorage, dispatcher: OutboxDispatcher, sending: Sending,
        time: any TimeSource, observer: any HostObserver = NoObserver(), logger: Logger = Logger(label: "rulebot"),
        traces: TraceSettings = .off
    ) {
        self.traceSettings = traces
        self.bots = bots
        self.storage = storage
        self.time = time
        self.observer = observer
        self.logger = logger
        self.dispatcher = dispatcher
        self.sending = sending
        dispatcher.routeEvents { [weak self] entry in await self?.accept(routed: entry) ?? false }
    }

    /// Events the dispatcher produced while sending (failed sends, results of work) that an
    /// `.inline` host handles once its own event is done.
    private let routed = Mutex<[InboxEntry]>([])

    /// An event the dispatcher produced (a failed send, the result of work), for its user: kept
    /// in the inbox first, so it survives a crash, then handled in the user's line like a
    /// webhook's events. Returns whether it was kept (or was a repeat, kept before).
    private func accept(routed entry: InboxEntry) async -> Bool {
        let accepted: [InboxEntry]
        do {
            accepted = try await storage.accept([entry], rememberUntil: time.now() + InboxEntry.dedupeWindow)
        } catch {
            logger.error("could not keep an event of a send or a call", metadata: ["error": "\(error)"])
            return false
        }
        guard !accepted.isEmpty else { return true }
        switch sending {
        case .inline: routed.withLock { $0 += accepted }
        case .background:
            let work = work(for: accepted)
            Task { await work() }
        }
        return true
    }

    /// Sends what is due now (retries whose time came, with the virtual clock of tests) and
    /// handles the events that produced; returns when the next waiting message may go.
    @discardableResult
    public func sendDue() async -> Double? {
        let next = await dispatcher.deliverDue()
        await handleRouted()
        return next
    }

    /// Handles the events sending produced, until none is left (`.inline` hosts).
    private func handleRouted() async {
        while let next = routed.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
            await handle(next, fromInbox: true)
        }
    }

    /// A place in a user's line of events, taken when an event is accepted.
    public struct Turn: Sendable {
        fileprivate let turn: KeyedSerialQueue<UserKey>.Turn
    }

    /// Takes `entry`'s place in its user's line now. Events and timer firings of a user are
    /// evaluated in the order their places were taken, so an event accepted before a timer came
    /// due is evaluated before that timer fires, however long it waits for a worker.
    public func reserveTurn(for entry: InboxEntry) -> Turn {
        Turn(turn: queue.reserve(UserKey(bot: entry.bot, user: entry.event.userID)))
    }

    /// The result of handling one event.
    public enum Outcome: Sendable {
        /// Evaluated and committed.
        case processed(Evaluation)
        /// No bot of that name is loaded.
        case unknownBot
        /// Evaluation or storage failed; nothing was committed.
        case failed(String)
        /// Another instance sharing the storage already committed this event.
        case alreadyHandled
    }

    /// Handles one event after the user's earlier events (in `turn`, taken at acceptance, or
    /// now) and hands its replies to the dispatcher; with `.inline` sending, sends them too.
    @discardableResult
    public func handle(_ entry: InboxEntry, traceAll: Bool = false, fromInbox: Bool = false, turn: Turn? = nil)
        async -> Outcome
    {
        let outcome = await queue.run(turn?.turn ?? queue.reserve(UserKey(bot: entry.bot, user: entry.event.userID))) {
            let outcome = await self.process(entry, traceAll: traceAll, fromInbox: fromInbox)
            // Queued within the user's turn, so a recipient's messages keep their commit order.
            if case .processed(let evaluation) = outcome { self.dispatcher.enqueue(evaluation.commit.outbox) }
            return outcome
        }
        if case .processed(let evaluation) = outcome {
            for work in evaluation.afterCommit {
                do { try await work() } catch {
                    logger.error(
                        "after-commit work failed", metadata: ["bot.name": "\(entry.bot)", "error": "\(error)"])
                }
            }
            if sending == .inline, !evaluation.commit.outbox.isEmpty {
                await dispatcher.deliverDue()
                await handleRouted()
            }
        }
        return outcome
    }

    private func process(_ entry: InboxEntry, traceAll: Bool, fromInbox: Bool) async -> Outcome {
        guard let bot = bots[entry.bot] else {
            logger.warning("event for an unknown bot dropped", metadata: ["bot.name": "\(entry.bot)"])
            return .unknownBot
        }
        // Setting metadata on a logger copies its metadata dictionary, a measurable share of an
        // event's cost; most events log nothing, so the logger gets it only when one is written.
        let log = EventLog(logger: logger, bot: entry.bot, userID: entry.event.userID)
        do {
            return try await storage.withUserLease(bot: entry.bot, userID: entry.event.userID) {
                try await self.evaluateAndCommit(
                    entry, bot: bot, traceAll: traceAll, fromInbox: fromInbox, log: log)
            }
        } catch let error as RuntimeError where error.isAlreadyHandled {
            log.debug("event already handled")
            return .alreadyHandled
        } catch {
            observer.failed(bot: entry.bot, event: entry.event, error: error)
            if fromInbox || entry.event.isTimer, await giveUpAfterRepeatedFailures(entry, error: error, log: log) {
                return .failed("\(error)")
            }
            log.error("storage failed; event kept for retry", metadata: ["error": "\(error)"])
            return .failed("\(error)")
        }
    }

    /// Counts a failed attempt of an inbox event or timer firing; at `maximumAttempts` sets it
    /// aside with a commit of no changes (the event leaves the inbox, the timer is removed, where
    /// its lease would fire it again every 30 s) and keeps it as a dead letter. Returns whether it
    /// gave up.
    private func giveUpAfterRepeatedFailures(_ entry: InboxEntry, error: any Error, log: EventLog) async -> Bool {
        let attempts = failedAttempts.withLock { failed in
            failed[entry.id, default: 0] += 1
            return failed[entry.id, default: 0]
        }
        guard attempts >= Self.maximumAttempts else { return false }
        do {
            try await storage.commit(Self.setAside(entry, fromInbox: true))
        } catch {
            log.error("event failed again and could not be set aside; kept for retry", metadata: ["error": "\(error)"])
            return false
        }
        _ = failedAttempts.withLock { $0.removeValue(forKey: entry.id) }
        log.error(
            "event failed \(attempts) times; moved to the dead letters", metadata: ["error": "\(error)"])
        let reason = "failed \(attempts) times; the last error: \(error)"
        await quarantine(DeadLetter(event: entry, reason: reason, at: time.now()), log: log)
        return true
    }

    private func evaluateAndCommit(
        _ entry: InboxEntry, bot: LoadedBot, traceAll: Bool, fromInbox: Bool, log: EventLog
    ) async throws -> Outcome {
        let started = time.now()
        let snapshot = try await storage.load(bot: entry.bot, userID: entry.event.userID, now: started)
        let now = time.now()
        var evaluation: Evaluation
        do {
            evaluation = try Evaluator.evaluate(
                bot, snapshot: snapshot, event: entry.event, now: now,
                stats: self.storage.statistics().value(backend: self.storage.kindName, now: now), traceAll: traceAll,
                recordTrace: traceAll || log.logLevel <= .debug || traceSettings.perUser > 0)
        } catch {
            // A bot error, or a budget passed, would fail the same way on every retry: drop the
            // event, keep the user's data, and move the event to the dead letters to be seen.
            log.error("rule failed; event dropped", metadata: ["error": "\(error)"])
            let drop = Self.setAside(entry, fromInbox: fromInbox)
            if !drop.isEmpty { try await storage.commit(drop) }
            await quarantine(DeadLetter(event: entry, reason: "\(error)", at: now), log: log)
            observer.failed(bot: entry.bot, event: entry.event, error: error)
            return .failed("\(error)")
        }
        if fromInbox { evaluation.commit.inboxID = entry.id }
        // Each user's state records the bot version that last handled them.
        if !bot.version.isEmpty, snapshot.values[BotVersion.key]?.value.string != bot.version {
            evaluation.commit.writes[BotVersion.key] = StoredValue(.string(bot.version))
        }
        var trace: StoredTrace?
        if traceSettings.perUser > 0 {
            let sequence = Int(snapshot.values[TraceSettings.counter]?.value.number ?? 0) + 1
            evaluation.commit.writes[TraceSettings.counter] = StoredValue(.int(sequence))
            trace = TraceRecorder.trace(
                entry, evaluation: evaluation, before: snapshot, bot: bot, sequence: sequence, at: now)
        }
        if !evaluation.commit.isEmpty {
            try await storage.commit(evaluation.commit)
        }
        if let trace {
            // Kept apart from the user's data, after it: a trace lost in a crash costs nothing else.
            do {
                try await storage.commit(
                    TraceRecorder.commit(trace, bot: entry.bot, userID: entry.event.userID, settings: traceSettings))
            } catch {
                log.error("could not keep the event's trace", metadata: ["error": "\(error)"])
            }
        }
        if fromInbox || entry.event.isTimer {
            // Uncontended and nearly always empty: cheap next to the commit above.
            _ = failedAttempts.withLock { $0.removeValue(forKey: entry.id) }
        }
        if !evaluation.closedWindowRules.isEmpty {
            log.warning(
                "message not sent: the 24-hour customer-service window is closed and the rule has no fallback_template",
                metadata: ["rule.id": "\(evaluation.closedWindowRules.joined(separator: ","))"])
        }
        if log.logLevel <= .debug {
            log.debug("event processed", metadata: ["rule.id": "\(evaluation.firedRules.joined(separator: ","))"])
        }
        observer.processed(bot: entry.bot, event: entry.event, evaluation: evaluation, seconds: time.now() - started)
        return .processed(evaluation)
    }

    /// The user's kept decision traces, newest first.
    public func traces(bot: String, userID: String) async throws -> [StoredTrace] {
        let snapshot = try await storage.load(bot: TraceSettings.namespace(bot), userID: userID, now: time.now())
        return snapshot.values.values.compactMap { try? ValueDecoder.decode(StoredTrace.self, from: $0.value) }
            .sorted { $0.sequence > $1.sequence }
    }

    /// The commit that settles an event without running it: an inbox event leaves the inbox, a
    /// timer firing removes its timer (whose lease would otherwise fire it again every 30 s).
    static func setAside(_ entry: InboxEntry, fromInbox: Bool) -> UserCommit {
        var commit = UserCommit(bot: entry.bot, userID: entry.event.userID)
        if case .timer(let firing) = entry.event.kind {
            commit.timers[firing.name] = .fired(generation: firing.generation)
        } else if fromInbox {
            commit.inboxID = entry.id
        }
        return commit
    }

    /// Keeps `letter`; a storage failure here is logged, since the item itself is already settled.
    private func quarantine(_ letter: DeadLetter, log: EventLog) async {
        do {
            try await storage.keep(letter, observer: observer)
        } catch {
            log.error("could not keep a dead letter", metadata: ["error": "\(error)"])
        }
    }

    /// Fires every timer due now, each through its user's queue; returns how many fired.
    @discardableResult
    public func fireDueTimers(limit: Int = 1000, lease: Double = 30) async -> Int {
        let due: [TimerRecord]
        do {
            due = try await storage.claimDueTimers(now: time.now(), limit: limit, lease: lease)
        } catch {
            logger.error("could not claim due timers", metadata: ["error": "\(error)"])
            return 0
        }
        await withTaskGroup(of: Void.self) { group in
            for timer in due {
                group.addTask { await self.fire(timer) }
            }
        }
        return due.count
    }

    /// Fires one claimed timer through its user's queue.
    public func fire(_ timer: TimerRecord) async {
        let firing = TimerFiring(
            name: timer.name, startedAt: timer.startedAt, dueAt: timer.dueAt, generation: timer.generation)
        let event = InboundEvent(id: "timer:\(timer.generation)", userID: timer.userID, kind: .timer(firing))
        await handle(InboxEntry(bot: timer.bot, event: event))
    }

    /// Processes events left in the inbox (accepted but not committed, e.g. after a crash), each
    /// user's in order. Reads `page` events at a time and goes on until a read finds nothing it
    /// has not tried, so a backlog larger than a page is not left waiting for the next start.
    /// An event that fails stays in the inbox for the next drain.
    ///
    /// Each user's events of a page go to `run` as one piece of work, and `run` returns once that
    /// work is done: by default it runs at once; a server passes its bounded background workers,
    /// so recovering a backlog does not take the CPU its webhook acknowledgements need.
    public func drainInbox(
        page: Int = 10_000,
        run: @escaping @Sendable (_ work: @escaping @Sendable () async -> Void) async -> Void = { await $0() }
    ) async {
        do {
            try await drainInPages(page: page, id: \.id, read: storage.pendingInbox(limit:)) { entries in
                await withTaskGroup(of: Void.self) { group in
                    for userEntries in entries.groupedByUser() {
                        let work = self.work(for: userEntries)
                        group.addTask { await run(work) }
                    }
                }
            }
        } catch {
            logger.error("could not read the inbox", metadata: ["error": "\(error)"])
        }
    }
}

extension BotHost {
    /// One user's accepted events as one piece of work, their turns taken now: run it whenever a
    /// worker is free, and they are still evaluated before anything of that user reserved later.
    public func work(for userEntries: [InboxEntry]) -> @Sendable () async -> Void {
        let turns = userEntries.map(reserveTurn)
        return {
            for (entry, turn) in zip(userEntries, turns) { await self.handle(entry, fromInbox: true, turn: turn) }
        }
    }
}

extension [InboxEntry] {
    /// The entries split by user (bot and user id), each user's in the order they have here.
    public func groupedByUser() -> [[InboxEntry]] {
        [[InboxEntry]](Dictionary(grouping: self) { UserKey(bot: $0.bot, user: $0.event.userID) }.values)
    }
}

/// A user of a bot, as a dictionary key without building a string per event.
struct UserKey: Hashable, Sendable {
    var bot: String
    var user: String
}
