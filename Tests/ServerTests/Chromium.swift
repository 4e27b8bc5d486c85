import Foundation
import RuleEngine
import Runtime
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Headless Chromium driven through the DevTools protocol over `--remote-debugging-pipe`
/// (JSON messages ending in NUL on file descriptors 3 and 4): no WebDriver, no WebSocket.
final class Chromium: @unchecked Sendable {
    private let pid: pid_t
    private let commands: Int32
    private final class Inbox: Sendable {
        let list = Mutex<[Value]>([])
    }

    private let inbox = Inbox()
    private let nextID = Mutex(0)
    private var session: String?
    private let profile: URL

    /// The browser, if one is installed.
    static var executable: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    init(executable: String) throws {
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("rulebot-chromium-\(UUID().uuidString)")
        var toChild: [Int32] = [0, 0]
        var fromChild: [Int32] = [0, 0]
        guard pipe(&toChild) == 0, pipe(&fromChild) == 0 else { throw FakeError("no pipes for Chromium") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 3)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 4)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let arguments = [
            executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--remote-debugging-pipe", "--user-data-dir=\(profile.path)", "--window-size=420,900",
        ]
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        guard posix_spawn(&child, executable, &actions, nil, argv, environ) == 0 else {
            throw FakeError("Chromium did not start")
        }
        pid = child
        Glibc.close(toChild[0])
        Glibc.close(fromChild[1])
        commands = toChild[1]
        let input = fromChild[0]
        let box = inbox
        Thread.detachNewThread {
            var buffer: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(input, &chunk, chunk.count)
                if count <= 0 { break }
                buffer += chunk[0..<count]
                while let end = buffer.firstIndex(of: 0) {
                    if let message = try? JSONParser.parse(Array(buffer[..<end])) {
                        box.list.withLock { $0.append(message) }
                    }
                    buffer.removeSubrange(...end)
                }
            }
            Glibc.close(input)
        }
    }

    /// Sends a command (to the page once attached) and returns its result.
    @discardableResult
    func send(_ method: String, _ params: [String: Value] = [:], toPage: Bool = true) async throws -> Value {
        let id = nextID.withLock {
            $0 += 1
            return $0
        }
        var message: [String: Value] = ["id": .int(id), "method": .string(method), "params": .object(params)]
        if toPage, let session { message["sessionId"] = .string(session) }
        let bytes = Array(Value.object(message).jsonText.utf8) + [0]
        guard bytes.withUnsafeBytes({ write(commands, $0.baseAddress, $0.count) }) == bytes.count else {
            throw FakeError("could not write to Chromium")
        }
        let reply = try await wait(for: "the answer to \(method)") { $0["id"] == .int(id) }
        if reply["error"] != .null { throw FakeError("\(method) failed: \(reply["error"].jsonText)") }
        return reply["result"]
    }

    /// Waits for a message matching `condition` (a reply or an event), up to 30 s.
    func wait(for description: String, _ condition: (Value) -> Bool) async throws -> Value {
        let found = try await poll(seconds: 30) {
            inbox.list.withLock { list -> Value? in
                guard let index = list.firstIndex(where: condition) else { return nil }
                return list.remove(at: index)
            }
        }
        guard let found else { throw FakeError("Chromium: timed out waiting for \(description)") }
        return found
    }

    /// Opens a tab and attaches to it.
    func openPage() async throws {
        let target = try await send("Target.createTarget", ["url": "about:blank"], toPage: false)
        let attached = try await send(
            "Target.attachToTarget", ["targetId": target["targetId"], "flatten": true], toPage: false)
        session = attached["sessionId"].string
        try await send("Page.enable")
    }

    /// Runs `script` in the page and waits for the page it loads.
    func navigating(_ script: String) async throws {
        inbox.list.withLock { $0.removeAll { $0["method"] == "Page.loadEventFired" } }
        try await evaluate(script)
        _ = try await wait(for: "a page load") { $0["method"] == "Page.loadEventFired" }
    }

    /// Loads `url`.
    func open(_ url: String) async throws {
        try await navigating("location.href = \(Value.string(url).jsonText)")
    }

    /// The value of `script` in the page.
    @discardableResult
    func evaluate(_ script: String) async throws -> Value {
        try await send("Runtime.evaluate", ["expression": .string(script), "returnByValue": true])["result"]["value"]
    }

    /// What a person reads on the page.
    func text() async throws -> String {
        try await evaluate("document.body.innerText").string ?? ""
    }

    /// Clicks the button whose text starts with `label` and waits for the page it loads.
    func click(_ label: String) async throws {
        try await navigating(
            "[...document.querySelectorAll('button')].find(b => b.textContent.trim().startsWith(\(Value.string(label).jsonText))).click()"
        )
    }

    /// The page as a PNG.
    func screenshot() async throws -> Data {
        let shot = try await send("Page.captureScreenshot", ["format": "png", "captureBeyondViewport": true])
        return Data(base64Encoded: shot["data"].string ?? "") ?? Data()
    }

    func quit() {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        Glibc.close(commands)
        try? FileManager.default.removeItem(at: profile)
    }
}
