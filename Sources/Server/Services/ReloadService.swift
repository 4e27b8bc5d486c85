import Logging
import Runtime
import ServiceLifecycle
import UnixSignals

/// Reloads bot files when they change (checked each `fileChecks` round), on SIGHUP, and when
/// another instance published a reload (checked each `followChecks` round, shared storage only).
/// `BotLibrary` runs one reload at a time, whoever asks.
struct ReloadService: Service {
    let library: BotLibrary
    let fileChecks: any LoopTrigger
    let followChecks: any LoopTrigger
    let shared: (any SharedStorage)?
    var hangUp = true

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await watchFiles() }
                if hangUp { group.addTask { await reloadOnHangUp() } }
                if let shared { group.addTask { await follow(shared) } }
            }
        }
    }

    private func watchFiles() async {
        let watcher = FileWatcher(paths: library.paths)
        var last = watcher.stamps()
        while await fileChecks.next() {
            let now = watcher.stamps()
            if now != last {
                last = now
                await library.reload(trigger: "file changed")
            }
        }
    }

    private func reloadOnHangUp() async {
        for await _ in await UnixSignalsSequence(trapping: .sighup) {
            if Task.isCancelled { return }
            await library.reload(trigger: "SIGHUP")
        }
    }

    private func follow(_ shared: any SharedStorage) async {
        var seen = (try? await shared.reloadGeneration()) ?? 0
        while await followChecks.next() {
            guard let generation = try? await shared.reloadGeneration(), generation != seen else { continue }
            seen = generation
            await library.reload(trigger: "published by another instance")
        }
    }
}
