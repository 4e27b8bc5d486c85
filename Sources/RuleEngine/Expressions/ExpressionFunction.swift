/// The functions expressions and templates may call, with their arity and a one-line doc.
public struct ExpressionFunction: Sendable {
    /// The name used in expressions.
    public let name: String
    /// The fewest arguments accepted.
    public let minArguments: Int
    /// The most arguments accepted.
    public let maxArguments: Int
    /// How it is called and what it returns.
    public let summary: String

    /// Every function, by name.
    public static let all: [String: ExpressionFunction] = Dictionary(
        uniqueKeysWithValues: [
            .init("count", 1, 1, "count(x): the number of items in a list, fields in a record or characters in a text"),
            .init("lower", 1, 1, "lower(text): the text in lowercase"),
            .init("upper", 1, 1, "upper(text): the text in uppercase"),
            .init("trim", 1, 1, "trim(text): the text without surrounding spaces"),
            .init("truncate", 2, 2, "truncate(text, n): the first n characters of the text"),
            .init("first", 1, 2, "first(list) or first(list, n): the first item, or the first n items"),
            .init("last", 1, 2, "last(list) or last(list, n): the last item, or the last n items"),
            .init("join", 2, 2, "join(list, separator): the items as one text"),
            .init("format_time", 2, 2, "format_time(timestamp, \"HH:mm:ss\"): a time in the bot's time zone"),
            .init("round", 1, 2, "round(x) or round(x, digits): x rounded"),
            .init(
                "format_number", 2, 2,
                "format_number(x, decimals): x as text with exactly that many decimals, such as 19.20"),
            .init("floor", 1, 1, "floor(x): x rounded down"),
            .init("min", 2, 2, "min(a, b): the smaller number"),
            .init("max", 2, 2, "max(a, b): the larger number"),
            .init("if", 3, 3, "if(condition, then, else): one of two values"),
            .init("default", 2, 2, "default(x, fallback): x, or the fallback when x is missing or empty"),
            .init("plural", 3, 3, "plural(n, \"message\", \"messages\"): the singular or plural word for n"),
            .init("starts_with", 2, 2, "starts_with(text, prefix): whether the text starts with the prefix (any case)"),
            .init("number", 1, 1, "number(text): the text read as a number, or null"),
            .init("string", 1, 1, "string(x): x as text"),
            .init(
                "parse_time", 1, 2,
                "parse_time(\"2026-03-29 10:00\") or parse_time(text, \"dd/MM/yyyy HH:mm\"): a time in the bot's time zone, or null"
            ),
            .init(
                "add_days", 2, 2,
                "add_days(time, n): the same wall-clock time n days later, right across daylight-saving changes"),
            .init("start_of_day", 1, 1, "start_of_day(time): midnight of that day in the bot's time zone"),
            .init(
                "at_time", 2, 2, "at_time(time, \"10:00\"): that day at this wall-clock time in the bot's time zone"),
            .init("duration", 1, 1, "duration(\"1h30m\"): the duration in seconds, to add to or subtract from a time"),
        ].map { ($0.name, $0) })

    private init(_ name: String, _ min: Int, _ max: Int, _ summary: String) {
        self.name = name
        self.minArguments = min
        self.maxArguments = max
        self.summary = summary
    }
}
