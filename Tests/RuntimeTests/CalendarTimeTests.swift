import Foundation
import RuleEngine
import Testing

@testable import Runtime

/// `add_days`, `at_time`, `start_of_day` and `parse_time` keep wall-clock time in the bot's time
/// zone across daylight-saving changes (Madrid: 29 March 2026 springs forward, 25 October falls back).
struct CalendarTimeTests {
    let madrid = TimeZone(identifier: "Europe/Madrid") ?? .gmt

    /// A UTC wall-clock time as Unix seconds (NaN if the text is malformed, which fails every comparison).
    func utc(_ text: String) -> Double {
        CalendarTime.parse(text, format: "yyyy-MM-dd HH:mm", timeZone: .gmt) ?? .nan
    }

    @Test func tomorrowAtTenIsTenAcrossSpringForward() throws {
        // 28 March 10:00 in Madrid is 09:00 UTC (CET); 29 March 10:00 is 08:00 UTC (CEST).
        let saturday = utc("2026-03-28 09:00")
        let sunday = try #require(CalendarTime.addDays(saturday, 1, timeZone: madrid))
        #expect(sunday == utc("2026-03-29 08:00"))
        #expect(sunday - saturday == 23 * 3600)
        #expect(CalendarTime.atTime(saturday + 86400, "10:00", timeZone: madrid) == utc("2026-03-29 08:00"))
    }

    @Test func aDayAcrossFallBackIsTwentyFiveHours() throws {
        let saturday = utc("2026-10-24 08:00")  // 10:00 CEST
        let sunday = try #require(CalendarTime.addDays(saturday, 1, timeZone: madrid))
        #expect(sunday == utc("2026-10-25 09:00"))  // 10:00 CET
        #expect(CalendarTime.startOfDay(sunday, timeZone: madrid) == utc("2026-10-24 22:00"))
    }

    @Test func aTimeInTheSpringGapMovesPastIt() {
        // 02:30 does not exist in Madrid on 29 March; the first moment after the gap is 03:00 CEST.
        let day = utc("2026-03-29 00:00")
        #expect(CalendarTime.atTime(day, "02:30", timeZone: madrid) == utc("2026-03-29 01:30"))
    }

    @Test func parsesInTheBotsZoneAndRejectsNonsense() {
        #expect(CalendarTime.parse("2026-07-01 10:00", format: nil, timeZone: madrid) == utc("2026-07-01 08:00"))
        #expect(
            CalendarTime.parse("2026-07-01T10:00:00+00:00", format: nil, timeZone: madrid) == utc("2026-07-01 10:00"))
        #expect(
            CalendarTime.parse("01/07/2026 10:00", format: "dd/MM/yyyy HH:mm", timeZone: madrid)
                == utc("2026-07-01 08:00"))
        #expect(CalendarTime.parse("2026-13-45", format: nil, timeZone: madrid) == nil)
        #expect(CalendarTime.parse("tomorrow", format: nil, timeZone: madrid) == nil)
        #expect(CalendarTime.atTime(0, "25:00", timeZone: madrid) == nil)
        #expect(CalendarTime.addDays(.infinity, 1, timeZone: madrid) == nil)
    }

    @Test func aTimerAtAComputedTimeFiresThen() throws {
        let bot = try loadBot(
            """
            timezone: Europe/Madrid
            timers: { remind: 1h }
            rules:
              - when: message
                do:
                  - start_timer: { timer: remind, at: "=at_time(add_days(now, 1), '10:00') - duration('1h')" }
                  - start_timer: { timer: other, after: "=duration('90m')" }
            """.replacingOccurrences(of: "timers: { remind: 1h }", with: "timers: { remind: 1h, other: 1m }"))
        let now = utc("2026-03-28 12:00")
        let evaluation = try Evaluator.evaluate(
            bot, snapshot: UserSnapshot(userID: "1"), event: .message("hi", at: now), now: now)
        guard case .start(let remind)? = evaluation.commit.timers["remind"],
            case .start(let other)? = evaluation.commit.timers["other"]
        else {
            Issue.record("timers not started: \(evaluation.commit.timers)")
            return
        }
        #expect(remind.dueAt == utc("2026-03-29 07:00"))  // 09:00 CEST
        #expect(other.dueAt == now + 5400)
    }
}
