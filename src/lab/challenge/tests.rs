//! The session's state machine and the reconcile decision, with no lab and no clock.

use chrono::{DateTime, TimeZone, Utc};

use super::*;
use crate::lab::content::{Challenge, Expectation, FaultSpec, GroundTruth, Hint, Question, Tier};
use crate::lab::faults::{ActiveFault, Mechanism};

fn at(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_900_000_000 + secs, 0).unwrap()
}

fn challenge(id: &str) -> Challenge {
    Challenge {
        id: id.into(),
        title: "Paged: checkout is slow".into(),
        level: 2,
        minutes: 20,
        tags: vec![],
        tier: Tier::SingleService,
        components: vec![],
        faults: vec![FaultSpec {
            name: "latency".into(),
            target: Some("payments".into()),
            params: Default::default(),
        }],
        questions: vec![
            Question {
                id: "service".into(),
                prompt: "Which service?".into(),
                points: 10,
                expect: Expectation::Choice {
                    options: vec!["orders".into(), "payments".into()],
                    answer: Some("payments".into()),
                    answers: Vec::new(),
                    aliases: Default::default(),
                },
            },
            Question {
                id: "p95".into(),
                prompt: "p95?".into(),
                points: 15,
                expect: Expectation::Number {
                    value: Some(0.9),
                    reference: None,
                    tolerance: Some(0.1),
                    tolerance_pct: None,
                    unit: Some("s".into()),
                },
            },
        ],
        hints: vec![
            Hint {
                text: "RED first".into(),
                cost: 2,
            },
            Hint {
                text: "follow the calls".into(),
                cost: 3,
            },
        ],
        ground_truth: GroundTruth {
            service: "payments".into(),
            fault: "latency".into(),
            summary: String::new(),
        },
        source: Default::default(),
        briefing: String::new(),
        solution: String::new(),
    }
}

fn owned_fault(id: &str, owner: Option<&str>) -> ActiveFault {
    ActiveFault {
        id: id.into(),
        name: "latency".into(),
        target: "payments".into(),
        component: "shop-payments".into(),
        mechanism: Mechanism::Request,
        params: Default::default(),
        injected_at: at(0),
        expires_at: at(21 * 60),
        symptom_query: String::new(),
        owner_pid: 1,
        owner_start_ticks: None,
        owner: owner.map(str::to_string),
    }
}

#[test]
fn a_new_session_runs_until_the_time_limit() {
    let s = Session::begin(&challenge("slow"), 3, at(0));
    assert_eq!(s.state, SessionState::Running);
    assert_eq!(s.attempt, 3);
    assert_eq!(s.deadline, at(20 * 60));
    assert_eq!(s.owner(), "challenge:slow");
    assert!(s.is_live(at(60)));
    assert_eq!(s.remaining(at(60)).as_secs(), 19 * 60);
    assert!(!s.is_live(at(20 * 60)));
    assert_eq!(s.elapsed_secs(at(90)), 90);
    assert_eq!(s.elapsed_secs(at(10_000)), 20 * 60, "capped at the limit");
}

// The faults outlive the latest deadline the warm-up credit allows.
const _: () = assert!(FAULT_TTL_MARGIN_SECS > MAX_WARM_UP_CREDIT_SECS);

#[test]
fn the_clock_starts_when_the_warm_up_ends_within_a_limit() {
    let dir = tempfile::tempdir().unwrap();
    let paths = crate::lab::paths::Paths::under(dir.path());
    let ch = challenge("slow");
    save(&session_file(&paths), &Session::begin(&ch, 1, at(0))).unwrap();
    let s = start_clock(&paths, &ch, at(40)).unwrap();
    assert_eq!(s.deadline, at(40 + 20 * 60));
    assert_eq!(s.clock_started_at, Some(at(40)));
    assert_eq!(load(&session_file(&paths)).unwrap().unwrap(), s);
    // Once only: a later call credits nothing more.
    let again = start_clock(&paths, &ch, at(100)).unwrap();
    assert_eq!(again, s);
    // A wait longer than the limit is credited up to the limit.
    save(&session_file(&paths), &Session::begin(&ch, 2, at(0))).unwrap();
    let s = start_clock(&paths, &ch, at(1000)).unwrap();
    assert_eq!(s.deadline, at(MAX_WARM_UP_CREDIT_SECS as i64 + 20 * 60));
    assert!(matches!(
        start_clock(&paths, &challenge("other"), at(50)),
        Err(ChallengeError::OtherRunning { .. })
    ));
}

#[test]
fn answers_are_recorded_edited_and_checked_against_the_questions() {
    let ch = challenge("slow");
    let mut s = Session::begin(&ch, 1, at(0));
    assert_eq!(s.answer(&ch, "service", " orders ", at(1)).unwrap(), None);
    assert_eq!(s.answers["service"], "orders");
    assert_eq!(
        s.answer(&ch, "service", "payments", at(2)).unwrap(),
        Some("orders".into())
    );
    assert_eq!(s.answers["service"], "payments");

    let err = s.answer(&ch, "nope", "x", at(3)).unwrap_err();
    assert_eq!(err.exit_code(), 1);
    assert!(err.to_string().contains("service, p95"), "{err}");
    assert!(matches!(
        s.answer(&ch, "p95", "  ", at(3)),
        Err(ChallengeError::EmptyAnswer { .. })
    ));
}

#[test]
fn hints_are_revealed_in_order_with_their_cost_until_none_are_left() {
    let ch = challenge("slow");
    let mut s = Session::begin(&ch, 1, at(0));
    let (i, h) = s.reveal_hint(&ch, at(5)).unwrap();
    assert_eq!((i, h.cost), (0, 2));
    let (i, h) = s.reveal_hint(&ch, at(6)).unwrap();
    assert_eq!((i, h.text.as_str()), (1, "follow the calls"));
    assert_eq!(s.hint_cost(), 5);
    let err = s.reveal_hint(&ch, at(7)).unwrap_err();
    assert!(matches!(err, ChallengeError::NoHintsLeft { taken: 2, .. }));
    assert_eq!(s.hints.len(), 2);
}

#[test]
fn submit_scores_ends_the_session_and_refuses_more_changes() {
    let ch = challenge("slow");
    let mut s = Session::begin(&ch, 2, at(0));
    s.reveal_hint(&ch, at(1)).unwrap();
    let results = vec![
        QuestionResult {
            earned: 10.0,
            max: 10.0,
            correct: true,
            feedback: vec![],
        },
        QuestionResult::unanswered(15),
    ];
    let score = s.submit(&ch, results, at(300)).unwrap();
    assert_eq!(
        (score.earned, score.max, score.hint_cost),
        (10.0, 25.0, 2.0)
    );
    assert_eq!(
        (score.total, score.elapsed_secs, score.attempt),
        (8.0, 300, 2)
    );
    assert_eq!(s.state, SessionState::Submitted);
    assert_eq!(s.ended_at, Some(at(300)));
    assert!(s.results["service"].correct);
    assert_eq!(s.remaining(at(301)).as_secs(), 0);

    for err in [
        s.answer(&ch, "service", "orders", at(400)).unwrap_err(),
        s.reveal_hint(&ch, at(400)).unwrap_err(),
        s.abandon("slow", at(400)).unwrap_err(),
    ] {
        assert!(err.to_string().contains("has ended (submitted)"), "{err}");
    }
}

#[test]
fn abandon_and_time_out_end_a_running_session() {
    let ch = challenge("slow");
    let mut s = Session::begin(&ch, 1, at(0));
    s.abandon("slow", at(100)).unwrap();
    assert_eq!(s.state, SessionState::Abandoned);
    assert_eq!(s.elapsed_secs(at(5000)), 100);

    let mut s = Session::begin(&ch, 1, at(0));
    let late = s.answer(&ch, "service", "orders", at(20 * 60)).unwrap_err();
    assert!(late.to_string().contains("timed out"), "{late}");
    s.time_out();
    assert_eq!(s.state, SessionState::TimedOut);
    assert_eq!(s.ended_at, Some(at(20 * 60)));
    assert_eq!(s.elapsed_secs(at(99_999)), 20 * 60);
}

#[test]
fn commands_for_another_challenge_name_the_running_one() {
    let ch = challenge("slow");
    let s = Session::begin(&ch, 1, at(0));
    let err = s.require_live("backlog", at(1)).unwrap_err();
    assert!(
        err.to_string().contains("`labtui challenge abandon slow`"),
        "{err}"
    );
    let busy = ChallengeError::AlreadyRunning {
        running: "slow".into(),
    };
    assert!(busy.to_string().contains("labtui challenge abandon slow"));
    assert_eq!(ChallengeError::NoLab.exit_code(), 2);
}

#[test]
fn reconcile_keeps_a_live_sessions_faults_and_leaves_hand_injected_ones() {
    let ch = challenge("slow");
    let s = Session::begin(&ch, 1, at(0));
    let ledger = [
        owned_fault("mine", Some("challenge:slow")),
        owned_fault("by-hand", None),
    ];
    assert!(reconcile(Some(&s), &ledger, at(60), |_| true).is_empty());
}

#[test]
fn reconcile_times_out_a_session_past_its_deadline_and_clears_its_faults() {
    let ch = challenge("slow");
    let s = Session::begin(&ch, 1, at(0));
    let ledger = [
        owned_fault("mine", Some("challenge:slow")),
        owned_fault("by-hand", None),
    ];
    let actions = reconcile(Some(&s), &ledger, at(20 * 60), |_| true);
    assert_eq!(
        actions,
        Actions {
            time_out: true,
            abandon_orphan: false,
            clear: vec!["mine".into()]
        }
    );
}

#[test]
fn reconcile_clears_challenge_faults_no_running_session_owns() {
    let ch = challenge("slow");
    let ledger = [
        owned_fault("left", Some("challenge:slow")),
        owned_fault("other", Some("challenge:backlog")),
        owned_fault("by-hand", None),
    ];
    // No session at all (the file was lost, or labtui died before writing it).
    let actions = reconcile(None, &ledger, at(60), |_| true);
    assert_eq!(actions.clear, ["left", "other"]);
    assert!(!actions.time_out);

    // An ended session owns nothing any more.
    let mut ended = Session::begin(&ch, 1, at(0));
    ended.abandon("slow", at(30)).unwrap();
    assert_eq!(
        reconcile(Some(&ended), &ledger, at(60), |_| true).clear,
        ["left", "other"]
    );

    // A live session keeps its own faults, not another challenge's.
    let live = Session::begin(&ch, 1, at(0));
    let actions = reconcile(Some(&live), &ledger, at(60), |_| true);
    assert_eq!(actions.clear, ["other"]);
    assert!(!actions.time_out);
}

fn console() -> ProcessOwner {
    ProcessOwner {
        pid: 4242,
        start_ticks: Some(77),
    }
}

fn owned_session(ch: &Challenge) -> Session {
    let mut s = Session::begin(ch, 1, at(0));
    s.process_owner = Some(console());
    s
}

#[test]
fn reconcile_keeps_a_session_whose_console_is_alive() {
    let ch = challenge("slow");
    let s = owned_session(&ch);
    let ledger = [owned_fault("mine", Some("challenge:slow"))];
    let mut asked = None;
    let actions = reconcile(Some(&s), &ledger, at(60), |o| {
        asked = Some(*o);
        true
    });
    assert!(actions.is_empty(), "{actions:?}");
    assert_eq!(
        asked,
        Some(console()),
        "the session's owner is the one asked about"
    );
}

#[test]
fn reconcile_abandons_a_session_whose_console_is_gone_and_clears_its_faults() {
    let ch = challenge("slow");
    let s = owned_session(&ch);
    let ledger = [
        owned_fault("mine", Some("challenge:slow")),
        owned_fault("by-hand", None),
    ];
    let actions = reconcile(Some(&s), &ledger, at(60), |_| false);
    assert_eq!(
        actions,
        Actions {
            time_out: false,
            abandon_orphan: true,
            clear: vec!["mine".into()]
        }
    );

    let mut ended = s.clone();
    ended.abandon_orphaned(at(60));
    assert_eq!(ended.state, SessionState::Abandoned);
    assert_eq!(ended.ended_at, Some(at(60)));
    assert_eq!(ended.elapsed_secs(at(5000)), 60);
    // Once ended, its owner does not matter any more.
    let again = reconcile(Some(&ended), &ledger, at(90), |_| {
        panic!("an ended session's owner is not looked up")
    });
    assert!(!again.abandon_orphan && !again.time_out);
}

#[test]
fn reconcile_without_an_owner_leaves_the_session_to_its_deadline() {
    // `labtui challenge start`: no owning process, the session outlives the command.
    let ch = challenge("slow");
    let s = Session::begin(&ch, 1, at(0));
    let ledger = [owned_fault("mine", Some("challenge:slow"))];
    let actions = reconcile(Some(&s), &ledger, at(60), |_| {
        panic!("a session without an owner asks about no process")
    });
    assert!(actions.is_empty(), "{actions:?}");
    let late = reconcile(Some(&s), &ledger, at(20 * 60), |_| false);
    assert!(late.time_out && !late.abandon_orphan);
}

#[test]
fn past_its_deadline_a_session_times_out_even_when_its_console_is_gone() {
    let ch = challenge("slow");
    let s = owned_session(&ch);
    let ledger = [owned_fault("mine", Some("challenge:slow"))];
    let actions = reconcile(Some(&s), &ledger, at(20 * 60 + 1), |_| false);
    assert_eq!(
        actions,
        Actions {
            time_out: true,
            abandon_orphan: false,
            clear: vec!["mine".into()]
        }
    );
}

#[test]
fn a_session_file_without_an_owner_loads_as_owned_by_no_process() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("challenge.json");
    let ch = challenge("slow");
    let s = owned_session(&ch);
    save(&file, &s).unwrap();
    assert_eq!(load(&file).unwrap(), Some(s.clone()));

    let mut old: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert!(old["process_owner"].is_object(), "{old}");
    old.as_object_mut().unwrap().remove("process_owner");
    std::fs::write(&file, old.to_string()).unwrap();
    let loaded = load(&file).unwrap().expect("a session");
    assert_eq!(loaded.process_owner, None);
    assert_eq!(loaded.challenge, "slow");
}

#[test]
fn this_process_is_an_owner_that_is_alive() {
    let me = ProcessOwner::me();
    assert_eq!(me.pid, std::process::id());
    assert!(me.start_ticks.is_some());
    assert!(me.is_alive());
    let reused = ProcessOwner {
        start_ticks: me.start_ticks.map(|t| t + 1),
        ..me
    };
    assert!(!reused.is_alive(), "another start time is another process");
}

#[test]
fn a_session_round_trips_through_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("challenge.json");
    assert_eq!(load(&file).unwrap(), None);
    let ch = challenge("slow");
    let mut s = Session::begin(&ch, 1, at(0));
    s.answer(&ch, "service", "payments", at(1)).unwrap();
    s.faults.push(owned_fault("mine", Some("challenge:slow")));
    save(&file, &s).unwrap();
    assert_eq!(load(&file).unwrap(), Some(s));
    std::fs::write(&file, "{not json").unwrap();
    let err = load(&file).unwrap_err().to_string();
    assert!(
        err.contains("challenge.json") && err.contains("delete the file"),
        "{err}"
    );
}
