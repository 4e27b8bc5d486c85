import Hummingbird
import Logging

/// The request context of RuleBot's routes.
public struct RulebotRequestContext: RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage

    /// Created by the application for each request.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// A context for calling the router directly, without a network channel (tests).
    init(logger: Logger) {
        coreContext = .init(source: LoggerSource(logger: logger))
    }

    /// Webhook bodies are capped by the route itself; this only bounds other routes.
    public var maxUploadSize: Int { 3 * 1024 * 1024 }
}

private struct LoggerSource: RequestContextSource {
    var logger: Logger
}
