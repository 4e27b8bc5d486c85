import Foundation
import Logging
import Runtime
import ServiceLifecycle
import UnixSignals

/// The server's work besides HTTP: timers, reload on file change and SIGHUP, purging expired
/// data, and on shutdown draining accepted events and the outbox.
struct BackgroundService: Service {
    let server: RulebotServer
    let reloadInterval: Double
    let timerLease: Double
    /// How often a shared storage is checked for work a dead instance left behind.
    var recoveryInterval = 5.0
    /// How often the outbox is swept for messages kept after their last retry.
    var outboxSweepInterval = 60.0

    func run() async throws {
        await server.recover()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await TimerService(host: server.host, lease: timerLease).run() }
            if server.host.storage.isShared {
                group.addTask { await recoverFromOtherInstances() }
                group.addTask { await followReloads() }
            } else {
                group.addTask { await resendKeptMessages() }
            }
            group.addTask { await watchFiles() }
            group.addTask { await reloadOnHangUp() }
            group.addTask { await purge() }
            // Returns when SIGTERM/SIGINT starts a graceful shutdown (or the group is cancelled).
            try? await gracefulShutdown()
            group.cancelAll()
        }
        server.logger.info("draining accepted events", metadata: ["in.flight": "\(server.inFlight.count)"])
        await server.inFlight.drain()
        await server.host.dispatcher.flushPending()
        server.logger.info("stopped cleanly")
    }

    private func watchFiles() async {
        let watcher = FileWatcher(paths: server.library.paths)
        var last = watcher.stamps()
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(reloadInterval))
            let now = watcher.stamps()
            if now != last {
                last = now
                await server.library.reload(trigger: "file changed")
            }
        }
    }

    private func reloadOnHangUp() async {
        for await _ in await UnixSignalsSequence(trapping: .sighup) {
            if Task.isCancelled { return }
            await server.library.reload(trigger: "SIGHUP")
        }
    }

    /// Inbox events and outbox messages a dead instance left behind are handled here; a commit
    /// of an event another instance already handled is refused by the storage, so nothing doubles.
    private func recoverFromOtherInstances() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(recoveryInterval))
            if Task.isCancelled { return }
            await server.host.drainInbox(run: server.inFlight.run)
            guard let redis = server.host.storage as? RedisStorage else { continue }
            let cutoff = server.host.time.now() - 3 * recoveryInterval
            if let stale = try? await redis.claimStaleOutbox(createdBefore: cutoff, limit: 1000, lease: 60),
                !stale.isEmpty
            {
                server.logger.info(
                    "resending messages another instance left unsent", metadata: ["count": "\(stale.count)"])
                await server.host.dispatcher.deliver(stale)
            }
        }
    }

    /// Messages whose retries ran out (the Graph API was down for longer than they last) stay in
    /// the outbox; they are tried again here rather than only at the next start. On shared
    /// storage `recoverFromOtherInstances` does this, with leases.
    private func resendKeptMessages() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(outboxSweepInterval))
            if Task.isCancelled { return }
            await server.host.dispatcher.flushPending()
        }
    }

    /// Reloads when another instance published a reload (`POST /admin/reload`).
    private func followReloads() async {
        guard let redis = server.host.storage as? RedisStorage else { return }
        var seen = (try? await redis.reloadGeneration()) ?? 0
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            guard let generation = try? await redis.reloadGeneration(), generation != seen else { continue }
            seen = generation
            await server.library.reload(trigger: "published by another instance")
        }
    }

    private func purge() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(60))
            if Task.isCancelled { return }
            do {
                let removed = try await server.host.storage.purgeExpired(now: server.host.time.now())
                if removed > 0 { server.logger.debug("purged expired data", metadata: ["rows": "\(removed)"]) }
            } catch {
                server.logger.error("purging expired data failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
