//! Render snapshots of the challenge runner: the briefing, the start, a running question
//! with a hint, each answer form, the feedback after submit, the solution, and a lesson's
//! exercises; at 100×30, and the running screen at the 60×20 minimum.

mod common;

use common::runner::{app_with_lab, result, running_app, session_with, submission};
use common::{ch, key, send};
use labtui::lab::challenge::WarmUp;
use labtui::tui::app::{App, Msg};
use labtui::tui::view::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn render(app: &App) -> Terminal<TestBackend> {
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    terminal.draw(|f| view(app, f)).expect("draw");
    terminal
}

fn typed(text: &str) -> Vec<Msg> {
    text.chars().map(ch).collect()
}

#[test]
fn briefing_and_start() {
    let mut app = app_with_lab((100, 30));
    send(&mut app, [ch('2'), key(KeyCode::Enter)]);
    insta::assert_snapshot!("challenge_briefing", render(&app).backend());
    send(&mut app, [ch('S')]);
    insta::assert_snapshot!("challenge_start_confirm", render(&app).backend());
    send(&mut app, [ch('y')]);
    send(
        &mut app,
        [
            Msg::ChallengeStarted(Ok(Box::new(common::runner::session()))),
            Msg::ChallengeWarmUp(WarmUp::Waiting {
                pending: vec!["latency on payments".into()],
                elapsed: std::time::Duration::ZERO,
            }),
        ],
    );
    insta::assert_snapshot!("challenge_starting", render(&app).backend());
}

#[test]
fn running_with_an_answer_and_a_hint() {
    for size in [(100, 30), (60, 20)] {
        let mut app = running_app(size);
        send(
            &mut app,
            [Msg::ChallengeSaved(Ok(Box::new(session_with(
                &[("service", "payments")],
                1,
            ))))],
        );
        insta::assert_snapshot!(
            format!("challenge_running_{}x{}", size.0, size.1),
            render(&app).backend()
        );
    }
}

#[test]
fn each_answer_form() {
    let mut app = running_app((100, 30));
    send(&mut app, [key(KeyCode::Enter), key(KeyCode::Down)]);
    insta::assert_snapshot!("form_choice", render(&app).backend());
    send(
        &mut app,
        [key(KeyCode::Esc), ch('j'), key(KeyCode::Enter), ch(' ')],
    );
    insta::assert_snapshot!("form_choice_several", render(&app).backend());
    send(&mut app, [key(KeyCode::Esc), ch('j'), key(KeyCode::Enter)]);
    send(&mut app, typed("900 apples"));
    insta::assert_snapshot!("form_number_with_a_problem", render(&app).backend());
    send(&mut app, [key(KeyCode::Esc), ch('j'), key(KeyCode::Enter)]);
    send(
        &mut app,
        typed("histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m])))"),
    );
    insta::assert_snapshot!("form_query", render(&app).backend());
    send(&mut app, [key(KeyCode::Esc), ch('j'), key(KeyCode::Enter)]);
    send(&mut app, typed("p95 per service showed payments"));
    send(
        &mut app,
        [Msg::Key(KeyEvent::new(
            KeyCode::Char('j'),
            KeyModifiers::CONTROL,
        ))],
    );
    send(&mut app, typed("then its trace"));
    insta::assert_snapshot!("form_text", render(&app).backend());
}

#[test]
fn feedback_and_solution() {
    let mut app = running_app((100, 30));
    let answered = session_with(&[("service", "payments"), ("p95", "2s")], 1);
    send(
        &mut app,
        [Msg::ChallengeSaved(Ok(Box::new(answered.clone())))],
    );
    send(&mut app, [ch('S'), ch('y')]);
    let graded = submission(
        answered,
        vec![
            result(10.0, 10.0, "right: payments"),
            result(0.0, 5.0, "unanswered"),
            result(0.0, 15.0, "2 s is not within 15% of 0.9 s (0.765 to 1.035)"),
            result(0.0, 15.0, "unanswered"),
            result(0.0, 10.0, "unanswered"),
        ],
        412,
    );
    send(&mut app, [Msg::ChallengeSubmitted(Ok(Box::new(graded)))]);
    send(&mut app, [ch('j'), ch('j')]);
    insta::assert_snapshot!("challenge_feedback", render(&app).backend());
    send(&mut app, [ch('v')]);
    insta::assert_snapshot!("challenge_solution", render(&app).backend());
}

#[test]
fn lesson_exercises() {
    let mut app = app_with_lab((100, 30));
    send(
        &mut app,
        [
            key(KeyCode::Enter),
            ch('A'),
            ch('H'),
            key(KeyCode::Enter),
            key(KeyCode::Down),
            key(KeyCode::Enter),
        ],
    );
    send(
        &mut app,
        [Msg::ExerciseGraded {
            lesson: "basics".into(),
            exercise: "pick-counter".into(),
            result: Ok(result(0.0, 5.0, "queue_depth goes up and down: a gauge")),
        }],
    );
    insta::assert_snapshot!("exercises", render(&app).backend());
}
