//! A console with a running lab and a challenge to run, for the runner's update and
//! snapshot tests: sessions and submissions are built the way the session operations
//! build them, so the app sees exactly what the effects would send.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, TimeZone as _, Utc};
use labtui::lab::challenge::{HintTaken, QuestionResult, Session, SessionState, Submission};
use labtui::lab::content::{Catalog, Challenge};
use labtui::lab::faults::{ActiveFault, Mechanism};
use labtui::lab::progress::Progress;
use labtui::lab::stack::{ComponentState, ComponentStatus};
use labtui::tui::app::{App, Cmd, Msg};
use labtui::tui::theme::Theme;
use ratatui::crossterm::event::KeyCode;

use super::{ch, key, send};

pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5)
        .single()
        .expect("valid date")
}

pub fn catalog() -> Catalog {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/runner");
    let (catalog, problems) = Catalog::load(&root);
    assert!(problems.is_empty(), "runner fixtures: {problems:?}");
    catalog
}

pub fn challenge() -> Challenge {
    catalog().challenges[0].clone()
}

/// A console of `size` whose lab poll found a running native lab.
pub fn app_with_lab(size: (u16, u16)) -> App {
    let mut app = App::new(
        catalog(),
        Progress::default(),
        Theme::plain(),
        size,
        start_time(),
    );
    let cmds = send(&mut app, [tick(0)]);
    let id = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::PollLab { id } => Some(*id),
            _ => None,
        })
        .expect("the first tick polls the lab");
    let up = |name: &str| ComponentStatus {
        name: name.into(),
        state: ComponentState::Ready,
        url: Some("http://127.0.0.1:9090".into()),
        version: None,
        uptime: Some(Duration::from_secs(60)),
        rss_bytes: None,
        pid: Some(42),
        detail: None,
    };
    send(
        &mut app,
        [Msg::LabPolled {
            id,
            result: Ok(Some((
                "native".into(),
                vec![up("prometheus"), up("shop-payments")],
            ))),
        }],
    );
    app
}

/// A tick `secs` after the start time.
pub fn tick(secs: i64) -> Msg {
    Msg::Tick {
        elapsed: Duration::from_millis(250),
        now: start_time() + chrono::Duration::seconds(secs),
    }
}

pub fn fault(now: DateTime<Utc>) -> ActiveFault {
    ActiveFault {
        id: "latency-1".into(),
        name: "latency".into(),
        target: "payments".into(),
        component: "shop-payments".into(),
        mechanism: Mechanism::Request,
        params: Default::default(),
        injected_at: now,
        expires_at: now + chrono::Duration::minutes(21),
        symptom_query: "up".into(),
        owner_pid: 1,
        owner_start_ticks: None,
        owner: Some("challenge:checkout-slow".into()),
    }
}

/// The session `start` would have saved: attempt 1, its fault injected.
pub fn session() -> Session {
    let mut s = Session::begin(&challenge(), 1, start_time());
    s.faults.push(fault(start_time()));
    s
}

/// Open the challenge, press S, say yes, and answer the start with a session whose
/// symptoms showed: the runner is Running.
pub fn running_app(size: (u16, u16)) -> App {
    let mut app = app_with_lab(size);
    send(&mut app, [ch('2'), key(KeyCode::Enter), ch('S'), ch('y')]);
    send(
        &mut app,
        [
            Msg::ChallengeStarted(Ok(Box::new(session()))),
            Msg::ChallengeReady {
                missing: Vec::new(),
                session: None,
            },
        ],
    );
    app
}

/// The session after answers and hints, as the session file would hold it.
pub fn session_with(answers: &[(&str, &str)], hints: usize) -> Session {
    let mut s = session();
    for (q, a) in answers {
        s.answers.insert((*q).into(), (*a).into());
    }
    let c = challenge();
    for index in 0..hints {
        s.hints.push(HintTaken {
            index,
            cost: c.hints[index].cost,
            at: start_time(),
        });
    }
    s
}

/// What `submit` returns for `session` graded with `results` (in question order).
pub fn submission(mut session: Session, results: Vec<QuestionResult>, secs: i64) -> Submission {
    let c = challenge();
    let now = start_time() + chrono::Duration::seconds(secs);
    let score = session.submit(&c, results.clone(), now).expect("live");
    assert_eq!(session.state, SessionState::Submitted);
    Submission {
        results: c
            .questions
            .iter()
            .map(|q| q.id.clone())
            .zip(results)
            .collect(),
        session,
        score,
        cleared: vec![fault(start_time())],
        warnings: Vec::new(),
    }
}

pub fn result(earned: f64, max: f64, feedback: &str) -> QuestionResult {
    QuestionResult {
        earned,
        max,
        correct: earned >= max,
        feedback: vec![feedback.into()],
    }
}
