import RuleEngine
import Runtime
import Testing

func describe(_ outcome: Trace.Entry.Outcome) -> String {
    switch outcome {
    case .fired: "fired"
    case .skipped(let reason): reason.description
    }
}

struct EvaluatorTests {
    let bot: LoadedBot

    init() throws {
        bot = try loadBot(
            """
            states:
              idle: {}
              busy: { ttl: 1h }
            rules:
              - id: count
                when: message
                do:
                  - increment: user.count
                continue: true
              - id: enter
                when: /busy
                in: idle
                do:
                  - goto: busy
                  - reply: "busy now"
              - id: greet-regulars
                when: text
                if: user.count >= 3
                do:
                  - reply: "welcome back #{{ user.count }}"
              - id: fallback
                when: message
                do:
                  - reply: "message {{ user.count }}: {{ message.text }}"
            """)
    }

    @Test func firstMatchingRuleWinsAndContinueKeepsGoing() throws {
        let evaluation = try Evaluator.evaluate(
            bot, snapshot: UserSnapshot(userID: "1"), event: .message("hi"), now: 10)
        #expect(evaluation.firedRules == ["count", "fallback"])
        #expect(evaluation.commit.outbox.map(\.displayText) == ["message 1: hi"])
        #expect(evaluation.commit.writes[StorageKey(.user, "count")] == .some(StoredValue(.int(1))))
    }

    @Test func traceSaysWhyEachRuleDidNotFire() throws {
        let evaluation = try Evaluator.evaluate(
            bot, snapshot: UserSnapshot(userID: "1"), event: .message("hi"), now: 10, traceAll: true)
        let outcomes = Dictionary(uniqueKeysWithValues: evaluation.trace.entries.map { ($0.ruleID, $0.outcome) })
        #expect(outcomes["count"] == .fired)
        #expect(outcomes["enter"].map(describe) == "trigger '/busy' does not match")
        #expect(outcomes["greet-regulars"].map(describe) == "condition 'user.count >= 3' is false")
        #expect(outcomes["fallback"] == .fired)
        #expect(evaluation.trace.rendered.contains("✗ enter (test.yaml:"))
    }

    @Test func stateGuardIsReportedInTrace() throws {
        var snapshot = UserSnapshot(userID: "1")
        snapshot.values[.machine] = StoredValue(.object(["name": "busy", "entered_at": .double(5)]), expiresAt: 5000)
        let evaluation = try Evaluator.evaluate(bot, snapshot: snapshot, event: .message("/busy"), now: 10)
        #expect(
            evaluation.trace.entries.contains {
                $0.ruleID == "enter" && describe($0.outcome) == "user is in state 'busy', rule needs 'idle'"
            })
        #expect(evaluation.firedRules == ["count", "fallback"])
    }

    @Test func gotoRecordsStateWithTimeToLive() throws {
        let evaluation = try Evaluator.evaluate(
            bot, snapshot: UserSnapshot(userID: "1"), event: .message("/BUSY"), now: 100)
        let machine = try #require(evaluation.commit.writes[.machine] ?? nil)
        #expect(machine.value["name"] == "busy")
        #expect(machine.expiresAt == 3700.0, "\(String(describing: machine.expiresAt))")
    }

    @Test func expiredStateFallsBackToInitial() throws {
        var snapshot = UserSnapshot(userID: "1")
        snapshot.values[.machine] = StoredValue(.object(["name": "busy"]), expiresAt: 50)
        snapshot.values[StorageKey(.state, "x")] = StoredValue(.int(1))
        let evaluation = try Evaluator.evaluate(bot, snapshot: snapshot, event: .message("/busy"), now: 100)
        #expect(evaluation.firedRules.contains("enter"))
        #expect(evaluation.commit.writes[StorageKey(.state, "x")] == .some(nil))
    }

    @Test func conditionsSeeEarlierWritesOfTheSameEvent() throws {
        var snapshot = UserSnapshot(userID: "1")
        snapshot.values[StorageKey(.user, "count")] = StoredValue(.int(2))
        let evaluation = try Evaluator.evaluate(bot, snapshot: snapshot, event: .message("hi"), now: 10)
        #expect(evaluation.commit.outbox.map(\.displayText) == ["welcome back #3"])
    }

    @Test func userTextIsNeverEvaluated() throws {
        let evaluation = try Evaluator.evaluate(
            bot, snapshot: UserSnapshot(userID: "1"), event: .message("{{ user.count }} <b>"), now: 10)
        #expect(evaluation.commit.outbox.map(\.displayText) == ["message 1: {{ user.count }} <b>"])
    }

    /// A bot with timer `t` that replies "fired", and a user whose `t` is running as generation `g`.
    func timerBot(header: String = "") throws -> (LoadedBot, UserSnapshot) {
        let bot = try loadBot(
            header + """
                timers:
                  t: 10s
                rules:
                  - when: message
                    do: [restart_timer: t]
                  - when: { timer: t }
                    do: [reply: fired]
                """)
        var snapshot = UserSnapshot(userID: "1")
        snapshot.timers["t"] = TimerRecord(
            bot: bot.name, userID: "1", name: "t", startedAt: 0, dueAt: 10, generation: "g")
        return (bot, snapshot)
    }

    func firing(_ generation: String) -> InboundEvent {
        InboundEvent(
            id: generation, userID: "1",
            kind: .timer(TimerFiring(name: "t", startedAt: 0, dueAt: 10, generation: generation)))
    }

    @Test func staleTimerFiringIsIgnored() throws {
        let (bot, snapshot) = try timerBot()
        let ignored = try Evaluator.evaluate(bot, snapshot: snapshot, event: firing("old"), now: 10)
        #expect(ignored.commit.outbox.isEmpty)
        let fired = try Evaluator.evaluate(bot, snapshot: snapshot, event: firing("g"), now: 10)
        #expect(fired.commit.outbox.map { $0.displayText } == ["fired"])
        #expect(fired.commit.timers["t"] == UserCommit.TimerChange.fired(generation: "g"))
    }

    @Test func timerRepliesGoOutFromTheBotsOwnNumber() throws {
        let (bot, snapshot) = try timerBot(header: "phone_number_id: \"222\"\n")
        let evaluation = try Evaluator.evaluate(bot, snapshot: snapshot, event: firing("g"), now: 10)
        #expect(evaluation.commit.outbox.first?.phoneNumberID == "222")
    }
}
