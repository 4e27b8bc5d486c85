import Logging

/// Logging for one event: `bot.name` and the masked `user.id` are attached only to lines that
/// are actually written, so the common event that logs nothing pays nothing for them.
struct EventLog: Sendable {
    let logger: Logger
    let bot: String
    let userID: String

    var logLevel: Logger.Level { logger.logLevel }

    func debug(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata = [:]) {
        log(.debug, message(), metadata())
    }

    func warning(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata = [:]) {
        log(.warning, message(), metadata())
    }

    func error(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata = [:]) {
        log(.error, message(), metadata())
    }

    private func log(
        _ level: Logger.Level, _ message: @autoclosure () -> Logger.Message,
        _ metadata: @autoclosure () -> Logger.Metadata
    ) {
        guard logger.logLevel <= level else { return }
        var all = metadata()
        all["bot.name"] = .string(bot)
        all["user.id"] = .string(PhoneMask.mask(userID))
        logger.log(level: level, message(), metadata: all)
    }
}
