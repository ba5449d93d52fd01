//! The console's interview mode as pure `update` tests: starting from the Drills list (a
//! seeded random pick, narrowed by the filter) or from an open drill, answering in the
//! form, the rubric's feedback, the clock, the summary, progress, and ending early.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, TimeZone as _, Utc};
use common::{ch, key, send};
use labtui::lab::content::Catalog;
use labtui::lab::interview;
use labtui::lab::progress::{Progress, Status};
use labtui::tui::app::{App, Cmd, Focus, Msg};
use labtui::tui::keymap::Context;
use labtui::tui::panes::interview::{Interview, Stage};
use labtui::tui::theme::Theme;
use ratatui::crossterm::event::{KeyCode, KeyModifiers, MouseEvent, MouseEventKind};

fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5)
        .single()
        .expect("valid date")
}

fn catalog() -> Catalog {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/interview");
    let (catalog, problems) = Catalog::load(&root);
    assert!(problems.is_empty(), "interview fixtures: {problems:?}");
    catalog
}

fn app() -> App {
    App::new(
        catalog(),
        Progress::default(),
        Theme::plain(),
        (100, 30),
        start_time(),
    )
}

fn tick(secs: i64) -> Msg {
    Msg::Tick {
        elapsed: Duration::from_millis(250),
        now: start_time() + chrono::Duration::seconds(secs),
    }
}

fn typed(text: &str) -> Vec<Msg> {
    text.chars().map(ch).collect()
}

fn session(app: &App) -> &Interview {
    app.interview.session.as_ref().expect("an interview")
}

fn ids(app: &App) -> Vec<String> {
    session(app).drills.iter().map(|d| d.id.clone()).collect()
}

/// Opens the form, types `text` and sends it.
fn answer(app: &mut App, text: &str) -> Vec<Cmd> {
    let mut msgs = vec![key(KeyCode::Enter)];
    msgs.extend(typed(text));
    msgs.push(key(KeyCode::Enter));
    send(app, msgs)
}

fn saved(cmds: &[Cmd]) -> &Progress {
    cmds.iter()
        .rev()
        .find_map(|c| match c {
            Cmd::SaveProgress(p) => Some(p),
            _ => None,
        })
        .expect("progress is saved")
}

/// An answer that covers every concept of the fixture drill `id`.
fn good_answer(id: &str) -> &'static str {
    match id {
        "counter-basics" => "a counter only goes up, resets on restart; rate gives it per second",
        "rate-vs-irate" => "irate uses the last two samples, rate averages over the whole window",
        "error-budget" => "the allowed failures of the slo; when spent we freeze releases",
        "burn-rate" => "how fast the budget is spent, with two windows",
        other => panic!("no answer for {other}"),
    }
}

#[test]
fn i_on_the_drills_list_asks_three_drills_picked_with_the_clock_as_seed() {
    let mut app = app();
    send(&mut app, [ch('I')]);
    assert!(
        app.interview.session.is_none(),
        "the Lessons tab has no drills"
    );
    let notice = app.notice.as_ref().expect("says where").text.clone();
    assert!(notice.contains("Drills list"), "{notice}");

    send(&mut app, [ch('3'), ch('I')]);
    assert!(app.interview_shown());
    assert_eq!(app.focus, Focus::Reader);
    assert_eq!(app.contexts(), [Context::Interview, Context::Global]);
    let iv = session(&app);
    assert_eq!((iv.stage, iv.current), (Stage::Asking, 0));
    let all: Vec<String> = catalog().drills.iter().map(|d| d.id.clone()).collect();
    let expected = interview::pick(all, 3, interview::seed_at(start_time()));
    assert_eq!(ids(&app), expected);

    // The same clock picks the same drills.
    let mut again = App::new(
        catalog(),
        Progress::default(),
        Theme::plain(),
        (100, 30),
        start_time(),
    );
    send(&mut again, [ch('3'), ch('I')]);
    assert_eq!(ids(&again), expected);
}

#[test]
fn a_filter_on_the_list_narrows_the_pick_to_the_drills_it_shows() {
    let mut app = app();
    let mut msgs = vec![ch('3'), ch('/')];
    msgs.extend(typed("slo"));
    msgs.extend([key(KeyCode::Enter), ch('I')]);
    send(&mut app, msgs);
    let mut got = ids(&app);
    got.sort();
    assert_eq!(got, ["burn-rate", "error-budget"]);
}

#[test]
fn i_on_an_open_drill_interviews_that_drill_alone_and_shows_its_question() {
    let mut app = app();
    send(&mut app, [ch('3'), ch('j'), key(KeyCode::Enter)]);
    assert_eq!(app.reader.as_ref().expect("open").id, "rate-vs-irate");
    send(&mut app, [ch('I')]);
    assert_eq!(ids(&app), ["rate-vs-irate"]);
    assert_eq!(session(&app).limit(), Duration::from_secs(180));

    // Enter opens the text form: every plain key is typed, even the global ones.
    send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!(app.contexts(), [Context::AnswerForm]);
    let cmds = send(&mut app, typed("q3s"));
    assert!(cmds.is_empty() && !app.should_quit);
    let form = session(&app).form.as_ref().expect("the form");
    assert_eq!(form.value(), "q3s");
}

#[test]
fn an_answer_is_graded_at_once_with_the_concepts_covered_and_missed_and_recorded() {
    let mut app = app();
    send(&mut app, [ch('3'), key(KeyCode::Enter), ch('I')]);
    assert_eq!(ids(&app), ["counter-basics"]);
    send(&mut app, [tick(95)]);
    let cmds = answer(&mut app, "A counter only goes up and resets on restart.");

    let iv = session(&app);
    assert_eq!(iv.stage, Stage::Feedback);
    let graded = iv.graded().expect("graded");
    assert_eq!(
        graded.verdict.matched,
        [
            "a counter only goes up",
            "it resets when the process restarts"
        ]
    );
    assert_eq!(
        graded.verdict.missed,
        ["rate gives the per-second increase"]
    );
    assert!(graded.passed(), "2 of 3 passes at 60%");
    assert!((graded.score() - 200.0 / 3.0).abs() < 1e-9);
    assert_eq!(graded.took, Duration::from_secs(95));
    assert!(!graded.over_time());
    assert!(app.notice.as_ref().unwrap().text.contains("67% (pass)"));

    // Recorded at once: an attempt, its score, its time, and the pass completes it.
    let item = saved(&cmds).item("counter-basics");
    assert_eq!(item.attempts, 1);
    assert_eq!(item.status, Status::Completed);
    assert_eq!(item.time_spent_secs, 95);
    assert!(item.best_score.is_some_and(|s| s > 66.0));
    assert_eq!(app.progress.item("counter-basics").attempts, 1);

    // An empty answer is refused by the form, not graded.
    let mut other = self::app();
    send(&mut other, [ch('3'), key(KeyCode::Enter), ch('I')]);
    let cmds = send(&mut other, [key(KeyCode::Enter), key(KeyCode::Enter)]);
    assert!(cmds.is_empty());
    assert_eq!(session(&other).stage, Stage::Asking);
    assert!(other.notice.as_ref().unwrap().is_error);
}

#[test]
fn the_clock_marks_an_answer_over_time_without_cutting_it_off() {
    let mut app = app();
    send(&mut app, [ch('3'), ch('j'), key(KeyCode::Enter), ch('I')]);
    send(&mut app, [tick(60)]);
    assert_eq!(
        session(&app).clock(app.now),
        (Duration::from_secs(120), false)
    );
    assert!(
        app.notice
            .as_ref()
            .is_none_or(|n| !n.text.contains("time is up"))
    );

    send(&mut app, [tick(200)]);
    assert_eq!(
        session(&app).clock(app.now),
        (Duration::from_secs(20), true)
    );
    let notice = app.notice.as_ref().expect("told once").text.clone();
    assert!(notice.contains("time is up"), "{notice}");
    assert_eq!(session(&app).stage, Stage::Asking, "still asking");

    answer(&mut app, "irate takes the last two samples");
    let graded = session(&app).graded().expect("graded anyway");
    assert!(graded.over_time());
    assert_eq!(graded.took, Duration::from_secs(200));
    assert!(graded.passed(), "over time is marked, not failed");
    assert!(app.notice.as_ref().unwrap().text.contains("over the time"));
}

#[test]
fn the_summary_totals_every_answer_and_enter_goes_back_to_the_list() {
    let mut app = app();
    send(&mut app, [ch('3'), ch('I')]);
    let asked = ids(&app);
    assert_eq!(asked.len(), 3);
    let mut at = 0;
    let mut progress = Progress::default();
    for (n, id) in asked.iter().enumerate() {
        assert_eq!(&session(&app).drill().unwrap().id, id);
        at += 30 + 60 * n as i64;
        send(&mut app, [tick(at)]);
        // The second answer covers nothing.
        let text = if n == 1 { "no idea" } else { good_answer(id) };
        progress = saved(&answer(&mut app, text)).clone();
        send(&mut app, [ch('n')]);
    }
    let iv = session(&app);
    assert_eq!(iv.stage, Stage::Summary);
    let sums = interview::summarize(&iv.answered);
    assert_eq!((sums.asked, sums.passed), (3, 2));
    assert!((sums.mean - 200.0 / 3.0).abs() < 1e-9, "{sums:?}");
    // Each question's clock starts when it is asked: 30 s, then 90 s, then 150 s.
    assert_eq!(sums.took, Duration::from_secs(270));
    assert_eq!(iv.unasked(), 0);
    for id in &asked {
        assert_eq!(progress.item(id).attempts, 1, "{id}");
    }
    assert_eq!(progress.item(&asked[1]).status, Status::InProgress);
    assert_eq!(progress.item(&asked[1]).best_score, Some(0.0));

    send(&mut app, [key(KeyCode::Enter)]);
    assert!(app.interview.session.is_none() && !app.interview_shown());
    assert_eq!(app.focus, Focus::Navigator);
}

#[test]
fn esc_ends_early_keeping_what_was_graded_and_asks_first_when_an_answer_is_unsent() {
    let mut app = app();
    send(&mut app, [ch('3'), ch('I')]);
    let first = ids(&app)[0].clone();
    answer(&mut app, good_answer(&first));
    send(&mut app, [ch('n')]);
    assert_eq!(session(&app).current, 1);

    // A draft: the form closes with Esc and keeps it; Esc again asks before dropping it.
    let mut msgs = vec![key(KeyCode::Enter)];
    msgs.extend(typed("half an answer"));
    msgs.push(key(KeyCode::Esc));
    send(&mut app, msgs);
    assert_eq!(session(&app).draft, "half an answer");
    assert_eq!(app.contexts()[0], Context::Interview);
    send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!(
        session(&app).form.as_ref().unwrap().value(),
        "half an answer",
        "the draft comes back in the form"
    );
    send(&mut app, [key(KeyCode::Esc), key(KeyCode::Esc)]);
    let question = &app.confirm.as_ref().expect("asks first").question;
    assert!(question.contains("unsent answer"), "{question}");
    send(&mut app, [ch('n')]);
    assert_eq!(session(&app).stage, Stage::Asking, "no: still asking");

    let cmds = send(&mut app, [key(KeyCode::Esc), ch('y')]);
    assert_eq!(cmds, [Cmd::EndInterview]);
    let iv = session(&app);
    assert_eq!(iv.stage, Stage::Summary);
    assert_eq!(iv.answered.len(), 1);
    assert_eq!(iv.unasked(), 2);
    assert_eq!(app.progress.item(&first).attempts, 1);
    assert_eq!(app.progress.item(&ids(&app)[1]).attempts, 0);

    // Nothing graded and nothing typed: Esc just ends, back to the list.
    let mut app = self::app();
    send(&mut app, [ch('3'), ch('I'), key(KeyCode::Esc)]);
    assert!(app.interview.session.is_none());
    assert!(app.confirm.is_none());
    assert_eq!(app.focus, Focus::Navigator);
}

#[test]
fn opening_another_item_sets_the_interview_aside_and_i_brings_it_back() {
    let mut app = app();
    send(&mut app, [ch('3'), ch('I')]);
    let asked = ids(&app);
    send(&mut app, [key(KeyCode::Tab)]);
    assert_eq!(app.focus, Focus::Navigator);
    send(&mut app, [key(KeyCode::Tab)]);
    assert_eq!(app.contexts()[0], Context::Interview, "Tab goes back to it");
    send(&mut app, [key(KeyCode::Tab), key(KeyCode::Enter)]);
    assert!(!app.interview_shown(), "the drill opened in the reader");
    assert_eq!(app.contexts()[0], Context::Reader);

    send(&mut app, [ch('I')]);
    assert!(app.interview_shown());
    assert_eq!(ids(&app), asked, "the same interview, not a new one");
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .contains("back to your interview")
    );
}

#[test]
fn the_feedback_scrolls_within_its_length() {
    let mut app = App::new(
        catalog(),
        Progress::default(),
        Theme::plain(),
        (60, 20),
        start_time(),
    );
    send(&mut app, [ch('3'), key(KeyCode::Enter), ch('I')]);
    answer(&mut app, "it only goes up");
    send(&mut app, [ch('G')]);
    let bottom = session(&app).scroll;
    assert!(bottom > 0, "the feedback is longer than 18 rows");
    send(&mut app, [ch('j'), ch('j')]);
    assert_eq!(session(&app).scroll, bottom, "not past the end");
    send(&mut app, [ch('k'), ch('g')]);
    assert_eq!(session(&app).scroll, 0);

    // The wheel over it scrolls it, three lines a notch.
    let wheel = |kind| {
        Msg::Mouse(MouseEvent {
            kind,
            column: 58,
            row: 5,
            modifiers: KeyModifiers::NONE,
        })
    };
    send(&mut app, [wheel(MouseEventKind::ScrollDown)]);
    assert_eq!(session(&app).scroll, 3.min(bottom));
    send(&mut app, [wheel(MouseEventKind::ScrollUp)]);
    assert_eq!(session(&app).scroll, 0);
}
