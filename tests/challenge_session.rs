//! Submit and abandon bookkeeping on a data dir with no lab: the session ends, the
//! challenge's faults leave the ledger, progress records the attempt. Grading goes through
//! a test double that compares choices and numbers only.

use chrono::{DateTime, TimeZone, Utc};
use labtui::lab::challenge::{
    self, ChallengeError, GradeError, Grader, QuestionResult, Session, SessionState,
};
use labtui::lab::content::{Catalog, Challenge, Expectation, Question};
use labtui::lab::faults::{ActiveFault, Mechanism, ledger};
use labtui::lab::paths::Paths;
use labtui::lab::progress::{self, Status};
use labtui::lab::stack::LabDirs;

/// Test double: right when a choice matches or a static number is within tolerance.
struct ComparingGrader;

impl Grader for ComparingGrader {
    async fn grade(
        &self,
        question: &Question,
        answer: &str,
        _at: f64,
    ) -> Result<QuestionResult, GradeError> {
        let correct = match &question.expect {
            Expectation::Choice {
                answer: Some(right),
                ..
            } => answer.eq_ignore_ascii_case(right),
            Expectation::Number {
                value: Some(v),
                tolerance,
                ..
            } => answer
                .parse::<f64>()
                .is_ok_and(|n| (n - v).abs() <= tolerance.unwrap_or(0.0)),
            _ => {
                return Err(GradeError(
                    "the test grader only knows choices and numbers".into(),
                ));
            }
        };
        let max = f64::from(question.points);
        Ok(QuestionResult {
            earned: if correct { max } else { 0.0 },
            max,
            correct,
            feedback: vec![if correct { "right" } else { "wrong" }.to_string()],
        })
    }
}

fn slow_checkout() -> Challenge {
    let (catalog, _) = Catalog::load(std::path::Path::new(env!("CARGO_MANIFEST_DIR")));
    let mut ch = catalog
        .challenges
        .into_iter()
        .find(|c| c.id == "slow-checkout")
        .expect("slow-checkout ships");
    // The double grades choices only: keep those two questions.
    ch.questions
        .retain(|q| matches!(q.expect, Expectation::Choice { .. }));
    ch
}

fn at(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_900_000_000 + secs, 0).unwrap()
}

fn owned(id: &str, owner: &str) -> ActiveFault {
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
        owner: Some(owner.into()),
    }
}

/// A running session written as `start` leaves it, with its fault in the ledger.
fn running(paths: &Paths, ch: &Challenge) -> Session {
    let mut session = Session::begin(ch, 1, at(0));
    let fault = owned("latency-1", &session.owner());
    session.faults.push(fault.clone());
    challenge::save(&challenge::session_file(paths), &session).unwrap();
    ledger::save(
        &LabDirs::new(paths),
        &[fault, owned("other", "someone-else")],
    )
    .unwrap();
    session
}

#[tokio::test]
async fn submit_grades_ends_clears_and_records_progress() {
    let home = tempfile::tempdir().unwrap();
    let paths = Paths::under(home.path());
    let ch = slow_checkout();
    running(&paths, &ch);

    challenge::answer(&paths, &ch, "root-cause-service", "orders", at(10)).unwrap();
    let (previous, _) =
        challenge::answer(&paths, &ch, "root-cause-service", "payments", at(20)).unwrap();
    assert_eq!(previous.as_deref(), Some("orders"));
    let (index, hint, _) = challenge::hint(&paths, &ch, at(30)).unwrap();
    assert_eq!((index, hint.cost), (0, 2));

    let done = challenge::submit(&paths, &ch, &ComparingGrader, at(600))
        .await
        .unwrap();
    assert_eq!(done.results.len(), 2);
    assert!(done.results[0].1.correct);
    assert_eq!(done.results[1].1.feedback, ["unanswered"]);
    assert_eq!((done.score.earned, done.score.max), (10.0, 20.0));
    assert_eq!((done.score.total, done.score.elapsed_secs), (8.0, 600));
    assert_eq!(done.session.state, SessionState::Submitted);
    assert_eq!(done.cleared.len(), 1);

    let ledger = ledger::load(&LabDirs::new(&paths)).unwrap();
    assert_eq!(ledger.len(), 1, "only the other owner's fault stays");
    assert_eq!(ledger[0].id, "other");
    let on_disk = challenge::load(&challenge::session_file(&paths))
        .unwrap()
        .unwrap();
    assert_eq!(on_disk.state, SessionState::Submitted);
    assert_eq!(on_disk.score, Some(done.score.clone()));

    let p = progress::load(&paths.progress_file()).unwrap().progress;
    let item = p.item("slow-checkout");
    assert_eq!(item.attempts, 1);
    assert_eq!(item.best_score, Some(8.0));
    assert_eq!(item.hints_used, 1);
    assert_eq!(item.time_spent_secs, 600);
    assert_eq!(
        item.status,
        Status::InProgress,
        "8 of 20 is under half the points: not completed"
    );

    // Ended: nothing more is taken.
    let again = challenge::submit(&paths, &ch, &ComparingGrader, at(700)).await;
    assert!(matches!(again, Err(ChallengeError::Ended { .. })));
}

#[tokio::test]
async fn an_attempt_with_half_the_points_completes_the_challenge_and_keeps_the_best_score() {
    let home = tempfile::tempdir().unwrap();
    let paths = Paths::under(home.path());
    let ch = slow_checkout();
    running(&paths, &ch);
    challenge::answer(&paths, &ch, "root-cause-service", "orders", at(10)).unwrap();
    challenge::submit(&paths, &ch, &ComparingGrader, at(60))
        .await
        .unwrap();
    let p = progress::load(&paths.progress_file()).unwrap().progress;
    assert_eq!(p.item("slow-checkout").status, Status::InProgress);

    running(&paths, &ch);
    challenge::answer(&paths, &ch, "root-cause-service", "payments", at(10)).unwrap();
    let done = challenge::submit(&paths, &ch, &ComparingGrader, at(60))
        .await
        .unwrap();
    assert_eq!((done.score.total, done.score.max), (10.0, 20.0));
    let item = progress::load(&paths.progress_file())
        .unwrap()
        .progress
        .item("slow-checkout");
    assert_eq!(item.status, Status::Completed, "exactly half passes");
    assert_eq!((item.attempts, item.best_score), (2, Some(10.0)));
}

#[tokio::test]
async fn a_grader_that_cannot_run_changes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let paths = Paths::under(home.path());
    let mut ch = slow_checkout();
    ch.questions[0].expect = Expectation::Text {
        rubric: vec![],
        pass: 0.6,
    };
    running(&paths, &ch);
    challenge::answer(&paths, &ch, "root-cause-service", "payments", at(10)).unwrap();
    let err = challenge::submit(&paths, &ch, &ComparingGrader, at(20))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("still running"), "{err}");
    let on_disk = challenge::load(&challenge::session_file(&paths))
        .unwrap()
        .unwrap();
    assert_eq!(on_disk.state, SessionState::Running);
    assert_eq!(ledger::load(&LabDirs::new(&paths)).unwrap().len(), 2);
}

#[tokio::test]
async fn abandon_and_time_out_clear_the_faults_and_count_the_attempt() {
    let home = tempfile::tempdir().unwrap();
    let paths = Paths::under(home.path());
    let ch = slow_checkout();
    running(&paths, &ch);
    let ended = challenge::abandon(&paths, "slow-checkout", at(90))
        .await
        .unwrap();
    assert_eq!(ended.session.state, SessionState::Abandoned);
    assert_eq!(ended.cleared.len(), 1);
    let item = progress::load(&paths.progress_file())
        .unwrap()
        .progress
        .item("slow-checkout");
    assert_eq!((item.attempts, item.best_score), (1, None));
    assert_eq!(item.time_spent_secs, 90);

    // A session found past its deadline times out on the next reconcile.
    running(&paths, &ch);
    let done = challenge::reconcile_now(&paths, at(20 * 60 + 5))
        .await
        .unwrap();
    let timed_out = done.timed_out.expect("timed out");
    assert_eq!(timed_out.state, SessionState::TimedOut);
    assert_eq!(done.cleared.len(), 1);
    let item = progress::load(&paths.progress_file())
        .unwrap()
        .progress
        .item("slow-checkout");
    assert_eq!(item.attempts, 2);
    assert_eq!(item.time_spent_secs, 90 + 20 * 60);
}
