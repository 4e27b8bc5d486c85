import Foundation
import RuleEngine

/// Builds the request of a call: the API's base URL and the rule's path and query, the API's
/// headers with their `${VARIABLES}` read from the environment, a JSON body and the
/// `Idempotency-Key`. Whatever fails names what, never a secret's value.
enum CallRequestBuilder {
    struct Problem: Error {
        var reason: String
    }

    static func request(
        _ call: HTTPCall, api: APIDeclaration, idempotencyKey: String, environment: (String) -> String?
    ) -> Result<HTTPRequestSpec, Problem> {
        do {
            let base = try expand(api.baseURL, environment)
            guard var components = URLComponents(string: base), let scheme = components.scheme?.lowercased(),
                scheme == "https" || scheme == "http", components.host?.isEmpty == false
            else {
                return .failure(Problem(reason: "the base URL of API '\(api.name)' is not an http(s) URL"))
            }
            let path = call.path.isEmpty || call.path.hasPrefix("/") ? call.path : "/" + call.path
            components.percentEncodedPath =
                components.percentEncodedPath.trimmingSuffix("/")
                + (path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path)
            if !call.query.isEmpty {
                components.queryItems =
                    (components.queryItems ?? [])
                    + call.query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
            }
            guard let url = components.string else {
                return .failure(Problem(reason: "the call to API '\(api.name)' has a malformed path"))
            }
            var headers = try api.headers.mapValues { try expand($0, environment) }
            headers["Idempotency-Key"] = idempotencyKey
            headers["Accept"] = headers["Accept"] ?? "application/json"
            var body: [UInt8]?
            if let value = call.body {
                headers["Content-Type"] = "application/json"
                body = Array(value.jsonText.utf8)
            }
            return .success(
                HTTPRequestSpec(
                    url: url, method: call.method, headers: headers, body: body, timeout: api.timeout,
                    allowPrivate: api.allowPrivate))
        } catch let problem as Problem {
            return .failure(problem)
        } catch {
            return .failure(Problem(reason: "\(error)"))
        }
    }

    /// `text` with each `${NAME}` replaced by that environment variable.
    static func expand(_ text: String, _ environment: (String) -> String?) throws -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstRange(of: "${") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                throw Problem(reason: "an unclosed ${ in an API setting")
            }
            let name = String(rest[open.upperBound..<close])
            guard let value = environment(name) else {
                throw Problem(reason: "the environment variable \(name) is not set")
            }
            out += value
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
