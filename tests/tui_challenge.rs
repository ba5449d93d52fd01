//! The challenge runner and lesson exercises as pure `update` tests: start, warm-up,
//! timer, answer forms, hints, submit, abandon, quitting mid-challenge, and exercises
//! graded one by one.

mod common;

use chrono::Duration as ChronoDuration;
use common::runner::{
    app_with_lab, result, running_app, session, session_with, start_time, submission, tick,
};
use common::{ch, key, send};
use labtui::lab::challenge::{Reconciled, SessionState};
use labtui::lab::progress::Status;
use labtui::tui::app::{Cmd, Focus, Msg};
use labtui::tui::keymap::Context;
use labtui::tui::panes::challenge::Phase;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn typed(text: &str) -> Vec<Msg> {
    text.chars().map(ch).collect()
}

fn phase(app: &labtui::tui::app::App) -> Phase {
    app.challenge.run.as_ref().expect("a run").phase
}

#[test]
fn s_on_a_challenge_asks_then_starts_it_and_the_runner_takes_the_readers_place() {
    let mut app = app_with_lab((120, 36));
    send(&mut app, [ch('2'), key(KeyCode::Enter)]);
    assert_eq!(app.focus, Focus::Reader);
    assert!(!app.runner_shown(), "the briefing is read first");
    let cmds = send(&mut app, [ch('S')]);
    assert!(cmds.is_empty());
    let question = &app.confirm.as_ref().expect("asks first").question;
    assert!(question.contains("latency on payments"), "{question}");
    assert!(question.contains("20-minute"), "{question}");
    let cmds = send(&mut app, [ch('y')]);
    assert!(matches!(&cmds[..], [Cmd::StartChallenge(c)] if c.id == "checkout-slow"));
    assert!(app.runner_shown());
    assert_eq!(phase(&app), Phase::Starting);
    assert_eq!(app.contexts()[0], Context::Challenge);

    // Injected: still starting until the symptoms show; the clock already runs.
    send(&mut app, [Msg::ChallengeStarted(Ok(Box::new(session())))]);
    assert_eq!(phase(&app), Phase::Starting);
    let log = &app.challenge.run.as_ref().unwrap().log;
    assert!(
        log.iter()
            .any(|l| l.starts_with("injected latency on payments")),
        "{log:?}"
    );
    send(
        &mut app,
        [Msg::ChallengeReady {
            missing: Vec::new(),
            session: None,
        }],
    );
    assert_eq!(phase(&app), Phase::Running);
    assert!(
        app.lab_status().ends_with("checkout-slow 20:00 left"),
        "{}",
        app.lab_status()
    );
    send(&mut app, [tick(61)]);
    assert!(
        app.lab_status().ends_with("checkout-slow 18:59 left"),
        "{}",
        app.lab_status()
    );
}

#[test]
fn the_clock_starts_when_the_symptoms_show() {
    let mut app = app_with_lab((120, 36));
    send(&mut app, [ch('2'), key(KeyCode::Enter), ch('S'), ch('y')]);
    send(&mut app, [Msg::ChallengeStarted(Ok(Box::new(session())))]);
    // The warm-up took 40 s: the session the start_clock op saved has its deadline moved.
    let mut clocked = session();
    clocked.deadline += ChronoDuration::seconds(40);
    send(
        &mut app,
        [
            tick(40),
            Msg::ChallengeReady {
                missing: Vec::new(),
                session: Some(Box::new(clocked)),
            },
        ],
    );
    assert_eq!(phase(&app), Phase::Running);
    assert!(
        app.lab_status().ends_with("checkout-slow 20:00 left"),
        "{}",
        app.lab_status()
    );
}

#[test]
fn a_start_without_a_lab_or_a_failed_start_says_why_and_leaves_no_runner() {
    let mut app = app_with_lab((100, 30));
    send(&mut app, [ch('2'), key(KeyCode::Enter), ch('S'), ch('y')]);
    send(
        &mut app,
        [Msg::ChallengeStarted(Err(
            "could not inject latency on payments: refused".into(),
        ))],
    );
    assert!(app.challenge.run.is_none());
    assert!(!app.runner_shown());
    let notice = app.notice.as_ref().expect("a notice");
    assert!(
        notice.is_error && notice.text.contains("refused"),
        "{notice:?}"
    );
}

#[test]
fn a_choice_is_picked_from_a_list_and_saved_to_the_session() {
    let mut app = running_app((100, 30));
    let cmds = send(&mut app, [key(KeyCode::Enter)]);
    assert!(cmds.is_empty());
    assert_eq!(app.contexts(), [Context::AnswerForm]);
    let cmds = send(&mut app, [key(KeyCode::Down), key(KeyCode::Enter)]);
    match &cmds[..] {
        [
            Cmd::AnswerChallenge {
                question, value, ..
            },
        ] => {
            assert_eq!((question.as_str(), value.as_str()), ("service", "payments"));
        }
        other => panic!("expected one answer, got {other:?}"),
    }
    assert_eq!(app.contexts()[0], Context::Challenge, "the form closes");
    let saved = session_with(&[("service", "payments")], 0);
    send(&mut app, [Msg::ChallengeSaved(Ok(Box::new(saved)))]);
    let run = app.challenge.run.as_ref().unwrap();
    assert_eq!(run.sheet.answers["service"], "payments");
    assert!(app.notice.as_ref().unwrap().text.contains("answer saved"));
}

#[test]
fn several_right_options_are_ticked_with_space_or_their_number() {
    let mut app = running_app((100, 30));
    let cmds = send(
        &mut app,
        [
            ch('j'),
            key(KeyCode::Enter),
            ch(' '),
            ch('3'),
            key(KeyCode::Enter),
        ],
    );
    assert!(
        matches!(&cmds[..], [Cmd::AnswerChallenge { value, .. }] if value == "p95 latency, request rate"),
        "{cmds:?}"
    );
}

#[test]
fn a_number_is_checked_with_the_graders_parser_before_it_is_saved() {
    let mut app = running_app((100, 30));
    send(&mut app, [ch('j'), ch('j'), key(KeyCode::Enter)]);
    let cmds = send(
        &mut app,
        typed("0.9 apples").into_iter().chain([key(KeyCode::Enter)]),
    );
    assert!(
        cmds.is_empty(),
        "junk after the number is refused: {cmds:?}"
    );
    let notice = app.notice.as_ref().expect("says why");
    assert!(
        notice.is_error && notice.text.contains("apples"),
        "{notice:?}"
    );
    assert!(app.challenge.is_typing(), "the form stays open to fix it");
    let cmds = send(
        &mut app,
        [ctrl('a')]
            .into_iter()
            .chain((0..20).map(|_| key(KeyCode::Delete)))
            .chain(typed("900ms"))
            .chain([key(KeyCode::Enter)]),
    );
    assert!(
        matches!(&cmds[..], [Cmd::AnswerChallenge { question, value, .. }] if question == "p95" && value == "900ms"),
        "{cmds:?}"
    );
}

#[test]
fn a_query_answer_can_take_the_promql_tabs_query() {
    let mut app = running_app((100, 30));
    // Write a query in the PromQL tab first.
    send(&mut app, [ch('e'), key(KeyCode::Esc)]);
    app.query
        .lang_tab_mut(labtui::lab::query::QueryLang::PromQL)
        .editor
        .set_text("sum(rate(x[5m]))");
    send(&mut app, [key(KeyCode::Tab)]);
    assert_eq!(app.focus, Focus::Reader);
    send(&mut app, [ch('G'), ch('k'), key(KeyCode::Enter), ctrl('y')]);
    let cmds = send(&mut app, [key(KeyCode::Enter)]);
    assert!(
        matches!(&cmds[..], [Cmd::AnswerChallenge { question, value, .. }] if question == "p95-query" && value == "sum(rate(x[5m]))"),
        "{cmds:?}"
    );
}

#[test]
fn a_text_answer_takes_several_lines_and_an_empty_one_is_refused() {
    let mut app = running_app((100, 30));
    send(&mut app, [ch('G'), key(KeyCode::Enter)]);
    let cmds = send(&mut app, [key(KeyCode::Enter)]);
    assert!(cmds.is_empty());
    assert!(app.notice.as_ref().unwrap().is_error);
    let cmds = send(
        &mut app,
        typed("p95 by service")
            .into_iter()
            .chain([ctrl('j')])
            .chain(typed("then the trace"))
            .chain([key(KeyCode::Enter)]),
    );
    assert!(
        matches!(&cmds[..], [Cmd::AnswerChallenge { value, .. }] if value == "p95 by service\nthen the trace"),
        "{cmds:?}"
    );
    // Esc leaves a form without saving.
    send(&mut app, [key(KeyCode::Enter)]);
    let cmds = send(&mut app, typed("x").into_iter().chain([key(KeyCode::Esc)]));
    assert!(cmds.is_empty());
    assert!(!app.challenge.is_typing());
}

#[test]
fn a_hint_shows_its_cost_before_it_is_taken_and_its_text_after() {
    let mut app = running_app((100, 30));
    send(&mut app, [ch('H')]);
    let question = &app.confirm.as_ref().expect("asks").question;
    assert!(
        question.contains("hint 1 of 2") && question.contains("3 points"),
        "{question}"
    );
    let cmds = send(&mut app, [ch('y')]);
    assert!(matches!(&cmds[..], [Cmd::RevealHint(_)]));
    send(
        &mut app,
        [Msg::ChallengeSaved(Ok(Box::new(session_with(&[], 1))))],
    );
    let run = app.challenge.run.as_ref().unwrap();
    assert_eq!(run.hints(), [(0, 3, "Compare the p95 of each service.")]);
    assert_eq!(run.next_hint_cost(), Some(5));
    send(&mut app, [ch('H'), ch('n')]);
    assert!(app.confirm.is_none(), "declined: nothing revealed");
}

#[test]
fn submit_warns_about_unanswered_questions_then_shows_feedback_and_the_score() {
    let mut app = running_app((100, 30));
    send(
        &mut app,
        [Msg::ChallengeSaved(Ok(Box::new(session_with(
            &[("service", "payments")],
            1,
        ))))],
    );
    send(&mut app, [ch('S')]);
    let question = &app.confirm.as_ref().expect("asks").question;
    assert!(
        question.contains("4 questions are unanswered"),
        "{question}"
    );
    let cmds = send(&mut app, [ch('y')]);
    assert!(matches!(&cmds[..], [Cmd::SubmitChallenge(_)]));
    assert_eq!(phase(&app), Phase::Submitting);

    let graded = submission(
        session_with(&[("service", "payments")], 1),
        vec![
            result(10.0, 10.0, "right: payments"),
            result(0.0, 5.0, "unanswered"),
            result(0.0, 15.0, "unanswered"),
            result(0.0, 15.0, "unanswered"),
            result(0.0, 10.0, "unanswered"),
        ],
        300,
    );
    send(&mut app, [Msg::ChallengeSubmitted(Ok(Box::new(graded)))]);
    assert_eq!(phase(&app), Phase::Ended);
    let notice = &app.notice.as_ref().unwrap().text;
    assert!(
        notice.contains("7 of 55 points") && notice.contains("after 3 for hints"),
        "{notice}"
    );
    assert!(
        app.challenge.countdown(app.now).is_none(),
        "no timer once ended"
    );
    // Answers are closed now.
    send(&mut app, [key(KeyCode::Enter)]);
    assert!(!app.challenge.is_typing());
}

#[test]
fn grading_that_cannot_run_keeps_the_challenge_running() {
    let mut app = running_app((100, 30));
    send(&mut app, [ch('S'), ch('y')]);
    send(
        &mut app,
        [Msg::ChallengeSubmitted(Err("no lab is running".into()))],
    );
    assert_eq!(phase(&app), Phase::Running);
    assert!(app.notice.as_ref().unwrap().text.contains("keeps running"));
}

#[test]
fn the_solution_opens_after_the_end_with_its_queries_runnable() {
    let mut app = running_app((100, 30));
    send(&mut app, [ch('v')]);
    assert!(app.runner_shown(), "no solution while running");
    send(&mut app, [ch('X'), ch('y')]);
    let mut ended = session();
    ended
        .abandon("checkout-slow", start_time() + ChronoDuration::seconds(90))
        .unwrap();
    let abandoned = labtui::lab::challenge::Ended {
        session: ended,
        cleared: Vec::new(),
        warnings: Vec::new(),
    };
    send(
        &mut app,
        [Msg::ChallengeAbandoned {
            result: Ok(Box::new(abandoned)),
            then_quit: false,
        }],
    );
    assert_eq!(phase(&app), Phase::Ended);
    assert!(!app.should_quit);
    send(&mut app, [ch('v')]);
    assert!(!app.runner_shown());
    let doc = app.reader.as_ref().expect("the solution in the reader");
    assert!(doc.title.starts_with("Solution:"));
    assert_eq!(doc.rendered.blocks.len(), 1, "its query is runnable");
    send(&mut app, [ch('R')]);
    assert!(app.runner_shown(), "R goes back to the results");
}

#[test]
fn the_deadline_passing_reconciles_once_and_the_timed_out_session_ends_the_run() {
    let mut app = running_app((100, 30));
    let cmds = send(&mut app, [tick(20 * 60 - 1)]);
    assert!(!cmds.contains(&Cmd::ReconcileChallenge));
    let cmds = send(&mut app, [tick(20 * 60)]);
    assert!(cmds.contains(&Cmd::ReconcileChallenge));
    let cmds = send(&mut app, [tick(20 * 60 + 1)]);
    assert!(!cmds.contains(&Cmd::ReconcileChallenge), "one at a time");
    let mut timed_out = session();
    timed_out.time_out();
    let done = Reconciled {
        timed_out: Some(timed_out.clone()),
        ..Reconciled::default()
    };
    send(
        &mut app,
        [Msg::ChallengeReconciled(Ok(Box::new((
            done,
            Some(timed_out),
        ))))],
    );
    assert_eq!(phase(&app), Phase::Ended);
    let run = app.challenge.run.as_ref().unwrap();
    assert_eq!(run.session.as_ref().unwrap().state, SessionState::TimedOut);
    assert!(app.notice.as_ref().unwrap().text.contains("time is up"));
}

#[test]
fn a_session_found_at_start_is_resumed_and_its_challenge_opens_on_the_runner() {
    let mut app = app_with_lab((100, 30));
    let on_disk = session_with(&[("service", "payments")], 0);
    send(
        &mut app,
        [Msg::ChallengeReconciled(Ok(Box::new((
            Reconciled::default(),
            Some(on_disk),
        ))))],
    );
    let run = app.challenge.run.as_ref().expect("resumed");
    assert_eq!((run.phase, run.sheet.answers.len()), (Phase::Running, 1));
    assert!(!app.runner_shown(), "the lists stay in front");
    send(&mut app, [ch('2'), key(KeyCode::Enter)]);
    assert!(
        app.runner_shown(),
        "opening the running challenge shows the runner"
    );
    // Another challenge cannot start meanwhile; S on the running one shows it.
    send(
        &mut app,
        [key(KeyCode::Esc), ch('1'), key(KeyCode::Enter), ch('S')],
    );
    assert!(app.confirm.is_none());
    // Started elsewhere (`labtui challenge start`): quitting leaves it running.
    let cmds = send(&mut app, [ch('q')]);
    assert!(app.should_quit && cmds.contains(&Cmd::Quit));
}

#[test]
fn quitting_mid_challenge_asks_then_abandons_it_before_quitting() {
    let mut app = running_app((100, 30));
    let cmds = send(&mut app, [ch('q')]);
    assert!(cmds.is_empty() && !app.should_quit);
    assert!(app.confirm.as_ref().unwrap().question.contains("abandon"));
    let cmds = send(&mut app, [ch('y')]);
    assert!(
        matches!(&cmds[..], [Cmd::AbandonChallenge { id, then_quit: true }] if id == "checkout-slow"),
        "{cmds:?}"
    );
    assert!(!app.should_quit, "waits for the faults to be cleared");
    let mut ended = session();
    ended.abandon("checkout-slow", start_time()).unwrap();
    let abandoned = labtui::lab::challenge::Ended {
        session: ended,
        cleared: Vec::new(),
        warnings: Vec::new(),
    };
    let cmds = send(
        &mut app,
        [Msg::ChallengeAbandoned {
            result: Ok(Box::new(abandoned)),
            then_quit: true,
        }],
    );
    assert!(app.should_quit);
    assert!(cmds.contains(&Cmd::Quit));
}

#[test]
fn a_signal_mid_challenge_abandons_without_asking_and_quits_even_if_that_hangs() {
    let mut app = running_app((100, 30));
    let cmds = send(&mut app, [Msg::Terminate]);
    assert!(matches!(
        &cmds[..],
        [Cmd::AbandonChallenge {
            then_quit: true,
            ..
        }]
    ));
    assert!(app.confirm.is_none() && !app.should_quit);
    let mut cmds = Vec::new();
    for n in 0..48 {
        cmds.extend(send(&mut app, [tick(n)]));
    }
    assert!(app.should_quit, "quits after the grace period");
    assert!(cmds.contains(&Cmd::Quit));
}

#[test]
fn quitting_with_no_challenge_running_does_not_ask() {
    let mut app = app_with_lab((100, 30));
    let cmds = send(&mut app, [ch('q')]);
    assert!(app.should_quit && cmds.contains(&Cmd::Quit));
}

#[test]
fn lesson_exercises_are_graded_one_by_one_and_all_passed_completes_the_lesson() {
    let mut app = app_with_lab((100, 30));
    send(&mut app, [key(KeyCode::Enter), ch('A')]);
    assert!(app.runner_shown());
    assert_eq!(app.contexts()[0], Context::Challenge);
    // Hints are free and shown one at a time; the solution waits for a try.
    send(&mut app, [ch('H'), ch('v')]);
    let ex = app.challenge.exercises.as_ref().unwrap();
    assert_eq!(ex.hints_shown["pick-counter"], 1);
    assert!(ex.solution_shown.is_empty());
    let cmds = send(
        &mut app,
        [key(KeyCode::Enter), key(KeyCode::Down), key(KeyCode::Enter)],
    );
    match &cmds[..] {
        [
            Cmd::GradeExercise {
                exercise, answer, ..
            },
        ] => {
            assert_eq!(
                (exercise.as_str(), answer.as_str()),
                ("pick-counter", "queue_depth")
            );
        }
        other => panic!("{other:?}"),
    }
    let cmds = send(
        &mut app,
        [Msg::ExerciseGraded {
            lesson: "basics".into(),
            exercise: "pick-counter".into(),
            result: Ok(result(0.0, 5.0, "not queue_depth")),
        }],
    );
    assert!(cmds.iter().any(|c| matches!(c, Cmd::SaveProgress(_))));
    assert_eq!(app.progress.item("basics").attempts, 1);
    assert!(app.progress.item("basics").passed.is_empty());
    send(&mut app, [ch('v')]);
    assert!(
        app.challenge
            .exercises
            .as_ref()
            .unwrap()
            .solution_shown
            .contains("pick-counter")
    );

    for (id, msg) in [("pick-counter", "right"), ("why-rate", "right")] {
        send(
            &mut app,
            [Msg::ExerciseGraded {
                lesson: "basics".into(),
                exercise: id.into(),
                result: Ok(result(5.0, 5.0, msg)),
            }],
        );
    }
    let item = app.progress.item("basics");
    assert_eq!(item.status, Status::Completed);
    assert_eq!(item.passed.len(), 2);
    assert!(app.notice.as_ref().unwrap().text.contains("complete"));
}

#[test]
fn s_and_a_are_for_their_own_kind_of_item() {
    let mut app = app_with_lab((100, 30));
    send(&mut app, [key(KeyCode::Enter), ch('S')]);
    assert!(app.confirm.is_none());
    assert!(app.notice.as_ref().unwrap().text.contains("Challenges"));
    send(
        &mut app,
        [key(KeyCode::Esc), ch('2'), key(KeyCode::Enter), ch('A')],
    );
    assert!(!app.runner_shown());
}
