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

    func run() async throws {
        await server.recover()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await TimerService(host: server.host).run() }
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
