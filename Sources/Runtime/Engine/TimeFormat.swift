import Foundation

/// Formats Unix timestamps with Unicode-style patterns (`yyyy-MM-dd HH:mm:ss`) in a time zone.
///
/// Written out by hand because templates run per event: this costs a few hundred nanoseconds,
/// where a `DateFormatter` costs microseconds and is awkward to share across threads.
enum TimeFormat {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]

    /// Times this far from 1970 (about 292 million years) are not dates anyone means.
    private static let latest: Double = 1e16

    static func format(_ timestamp: Double, pattern: String, timeZone: TimeZone) -> String {
        guard timestamp.isFinite, abs(timestamp) < latest else { return "" }
        let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: timestamp))
        let local = Int((timestamp + Double(offset)).rounded(.down))
        let days = local >= 0 ? local / 86400 : (local - 86399) / 86400
        let secondOfDay = local - days * 86400
        let (year, month, day) = civil(fromDays: days)
        let hour = secondOfDay / 3600, minute = secondOfDay % 3600 / 60, second = secondOfDay % 60
        var out = ""
        let chars = Array(pattern)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            var run = 1
            while i + run < chars.count, chars[i + run] == c { run += 1 }
            switch (c, run) {
            case ("y", 2): out += pad(year % 100)
            case ("y", _): out += String(year)
            case ("M", 1): out += String(month)
            case ("M", 2): out += pad(month)
            case ("M", _): out += months[month - 1]
            case ("d", 1): out += String(day)
            case ("d", _): out += pad(day)
            case ("H", 1): out += String(hour)
            case ("H", _): out += pad(hour)
            case ("h", let n): let h = hour % 12 == 0 ? 12 : hour % 12; out += n == 1 ? String(h) : pad(h)
            case ("m", _): out += pad(minute)
            case ("s", _): out += pad(second)
            case ("a", _): out += hour < 12 ? "AM" : "PM"
            case ("E", _): out += weekdays[((days % 7) + 7) % 7]
            case ("'", _):
                var j = i + 1
                while j < chars.count, chars[j] != "'" { out.append(chars[j]); j += 1 }
                i = j + 1
                continue
            default: out += String(repeating: c, count: run)
            }
            i += run
        }
        return out
    }

    private static func pad(_ n: Int) -> String {
        n < 10 ? "0\(n)" : String(n)
    }

    /// Howard Hinnant's days-to-civil algorithm.
    private static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
