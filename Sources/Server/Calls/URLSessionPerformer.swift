import Foundation
import Runtime
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Makes calls with URLSession (libcurl on Linux): http and https only, private addresses only
/// for APIs that allow them, no redirect to another host, at most 1 MB of answer.
public final class URLSessionPerformer: HTTPPerformer {
    private struct Lane: Sendable {
        let session: URLSession
        let delegate: CallSessionDelegate
    }

    private let lanes: SessionLanes<Lane>

    /// A performer with sessions of its own, 16 calls at once (`SessionLanes`).
    public init() {
        lanes = SessionLanes(connections: 16) { configuration in
            configuration.httpShouldSetCookies = false
            let delegate = CallSessionDelegate()
            return Lane(
                session: URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil),
                delegate: delegate)
        }
    }

    /// One attempt of `request`.
    public func perform(_ request: HTTPRequestSpec, name: String) async -> HTTPAttempt {
        guard let url = URL(string: request.url), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https",
            let host = url.host
        else {
            return .refused("'\(request.url.prefix(100))' is not an http(s) URL")
        }
        if let problem = AddressPolicy.problem(host: host, allowPrivate: request.allowPrivate) {
            return .refused(problem)
        }
        var urlRequest = URLRequest(url: url, timeoutInterval: request.timeout)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        urlRequest.httpBody = request.body.map { Data($0) }
        return await lanes.withLane { lane in
            await withCheckedContinuation { continuation in
                let task = lane.session.dataTask(with: urlRequest)
                lane.delegate.start(task, host: host, allowPrivate: request.allowPrivate, continuation: continuation)
                task.resume()
                // The whole attempt is bounded, not only the silences between bytes (libcurl's idea of a timeout).
                let id = task.taskIdentifier
                Task {
                    try? await Task.sleep(for: .seconds(request.timeout))
                    if lane.delegate.timeOut(id) { task.cancel() }
                }
            }
        }
    }
}

/// Collects each call's answer, refusing what a call may not do while it happens.
final class CallSessionDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private struct Pending {
        var continuation: CheckedContinuation<HTTPAttempt, Never>
        var host: String
        var allowPrivate: Bool
        var body: [UInt8] = []
        var refusal: String?
        var timedOut = false
    }

    private let pending = Mutex<[Int: Pending]>([:])

    func start(
        _ task: URLSessionDataTask, host: String, allowPrivate: Bool,
        continuation: CheckedContinuation<HTTPAttempt, Never>
    ) {
        pending.withLock {
            $0[task.taskIdentifier] = Pending(continuation: continuation, host: host, allowPrivate: allowPrivate)
        }
    }

    /// Marks the task as timed out; false when it already finished.
    func timeOut(_ id: Int) -> Bool {
        pending.withLock { tasks in
            guard tasks[id] != nil else { return false }
            tasks[id]?.timedOut = true
            return true
        }
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        let refusal: String? = pending.withLock { tasks in
            guard let entry = tasks[task.taskIdentifier] else { return nil }
            let target = request.url?.host ?? ""
            if target.lowercased() != entry.host.lowercased() { return "a redirect to another host (\(target))" }
            return AddressPolicy.problem(host: target, allowPrivate: entry.allowPrivate)
        }
        if let refusal {
            pending.withLock { $0[task.taskIdentifier]?.refusal = refusal }
            task.cancel()
            completionHandler(nil)
        } else {
            completionHandler(request)
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let over = pending.withLock { tasks -> Bool in
            guard var entry = tasks[dataTask.taskIdentifier] else { return false }
            entry.body.append(contentsOf: data)
            if entry.body.count > WorkRunner.maximumResponseBytes {
                entry.refusal = "the answer is larger than \(WorkRunner.maximumResponseBytes / 1024 / 1024) MB"
                entry.body = []
                tasks[dataTask.taskIdentifier] = entry
                return true
            }
            tasks[dataTask.taskIdentifier] = entry
            return false
        }
        if over { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let entry = pending.withLock({ $0.removeValue(forKey: task.taskIdentifier) }) else { return }
        if entry.timedOut {
            entry.continuation.resume(returning: .timeout)
            return
        }
        if let refusal = entry.refusal {
            entry.continuation.resume(returning: .refused(refusal))
            return
        }
        if let error {
            let code = (error as NSError).code
            entry.continuation.resume(
                returning: code == NSURLErrorTimedOut
                    ? .timeout : .networkError("network: \(error.localizedDescription)"))
            return
        }
        guard let http = task.response as? HTTPURLResponse else {
            entry.continuation.resume(returning: .networkError("no HTTP response"))
            return
        }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
        }
        entry.continuation.resume(returning: .response(status: http.statusCode, headers: headers, body: entry.body))
    }
}
