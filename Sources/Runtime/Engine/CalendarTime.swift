import Foundation

/// Wall-clock arithmetic in the bot's time zone, for `parse_time`, `add_days`, `start_of_day`
/// and `at_time`: a day is a calendar day, so "tomorrow at 10:00" is 10:00 even when a
/// daylight-saving change makes that day 23 or 25 hours long.
enum CalendarTime {
    /// Times outside years 1–9999 are not dates anyone means.
    private static let range: ClosedRange<Double> = -62_135_596_800...253_402_300_799

    /// The formats tried when `parse_time` is given none.
    private static let formats = [
        "yyyy-MM-dd'T'HH:mm:ssXXXXX", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss",
        "yyyy-MM-dd HH:mm", "yyyy-MM-dd",
    ]

    static func calendar(_ timeZone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// `text` read with `format` (or the ISO-like formats) in `timeZone`, as Unix seconds.
    static func parse(_ text: String, format: String?, timeZone: TimeZone) -> Double? {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty, text.count <= 64 else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.calendar = calendar(timeZone)
        formatter.timeZone = timeZone
        formatter.isLenient = false
        for pattern in format.map({ [$0] }) ?? formats {
            formatter.dateFormat = pattern
            if let date = formatter.date(from: text) { return date.timeIntervalSince1970 }
        }
        return nil
    }

    /// The same wall-clock time `days` days later.
    static func addDays(_ time: Double, _ days: Double, timeZone: TimeZone) -> Double? {
        guard range.contains(time), days.isFinite, abs(days) <= 3_000_000 else { return nil }
        return calendar(timeZone).date(byAdding: .day, value: Int(days), to: Date(timeIntervalSince1970: time))
            .map(\.timeIntervalSince1970)
    }

    /// Midnight at the start of `time`'s day.
    static func startOfDay(_ time: Double, timeZone: TimeZone) -> Double? {
        guard range.contains(time) else { return nil }
        return calendar(timeZone).startOfDay(for: Date(timeIntervalSince1970: time)).timeIntervalSince1970
    }

    /// `time`'s day at the wall-clock time `clock` (`HH:mm` or `HH:mm:ss`). In a daylight-saving
    /// gap (02:30 on a spring-forward night), the first moment after it.
    static func atTime(_ time: Double, _ clock: String, timeZone: TimeZone) -> Double? {
        guard range.contains(time) else { return nil }
        let parts = clock.split(separator: ":").map { Int($0) }
        guard (2...3).contains(parts.count), let hour = parts[0], let minute = parts[1], (0..<24).contains(hour),
            (0..<60).contains(minute)
        else { return nil }
        let second = parts.count == 3 ? parts[2] ?? -1 : 0
        guard (0..<60).contains(second) else { return nil }
        let calendar = calendar(timeZone)
        var components = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: time))
        (components.hour, components.minute, components.second) = (hour, minute, second)
        return calendar.date(from: components)?.timeIntervalSince1970
    }
}
