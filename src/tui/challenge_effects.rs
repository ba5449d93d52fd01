//! Challenge and exercise commands as background tasks: the same session operations as
//! `labtui challenge` (`lab::challenge`), each answering with a `Msg` and bounded in time.

use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc;

use crate::lab::challenge::{self, LabGrader, WarmUp};
use crate::lab::content::{Challenge, Expectation};
use crate::lab::grading;
use crate::lab::paths::Paths;
use crate::lab::progress;

use super::app::Msg;

/// Injecting, clearing and grading each talk to the lab with their own timeouts; this
/// bounds the whole operation so the runner never waits forever.
const OP_DEADLINE: Duration = Duration::from_secs(90);
/// How long the start waits for the faults' symptoms to show in Prometheus.
const WARM_UP_WITHIN: Duration = Duration::from_secs(60);
const WARM_UP_EVERY: Duration = Duration::from_secs(2);

fn send(tx: &mpsc::UnboundedSender<Msg>, msg: Msg) {
    let _ = tx.send(msg);
}

async fn bounded<T>(
    what: &str,
    work: impl Future<Output = Result<T, String>>,
) -> Result<T, String> {
    tokio::time::timeout(OP_DEADLINE, work)
        .await
        .unwrap_or_else(|_| {
            Err(format!(
                "{what} took longer than {}s",
                OP_DEADLINE.as_secs()
            ))
        })
}

/// The challenge's progress as the session operations left it on disk, for the app to adopt
/// (the console writes progress too; this keeps the two from undoing each other).
fn report_progress(paths: &Paths, id: &str, tx: &mpsc::UnboundedSender<Msg>) {
    if let Ok(loaded) = progress::load(&paths.progress_file()) {
        send(
            tx,
            Msg::ChallengeProgress {
                id: id.to_string(),
                item: loaded.progress.item(id),
            },
        );
    }
}

/// Start: the session and its faults, then the wait for their symptoms, reported as it goes.
pub fn start(paths: Paths, challenge: Challenge, tx: mpsc::UnboundedSender<Msg>) {
    tokio::spawn(async move {
        let started = bounded("starting the challenge", async {
            // Owned by this console: if it dies, the next start abandons the run.
            challenge::start_owned(
                &paths,
                &challenge,
                Utc::now(),
                Some(challenge::ProcessOwner::me()),
            )
            .await
            .map_err(|e| e.to_string())
        })
        .await;
        let session = match started {
            Ok(started) => started.session,
            Err(e) => {
                send(&tx, Msg::ChallengeStarted(Err(e)));
                return;
            }
        };
        let faults = session.faults.clone();
        send(&tx, Msg::ChallengeStarted(Ok(Box::new(session))));
        report_progress(&paths, &challenge.id, &tx);
        let client = challenge::lab_state(&paths)
            .ok_or_else(|| "no lab is running".to_string())
            .and_then(|s| challenge::symptom_client(&s));
        let missing = match client {
            Ok(client) => {
                let probe = |query: String| {
                    let client = client.clone();
                    async move { challenge::symptom_shows(&client, &query).await }
                };
                let progress = tx.clone();
                challenge::warm_up(&faults, WARM_UP_WITHIN, WARM_UP_EVERY, probe, move |e| {
                    send(&progress, Msg::ChallengeWarmUp(e));
                })
                .await
            }
            Err(e) => {
                send(
                    &tx,
                    Msg::ChallengeWarmUp(WarmUp::Missing {
                        fault: format!("every fault ({e})"),
                        query: String::new(),
                    }),
                );
                faults.iter().map(challenge::warmup_label).collect()
            }
        };
        // The clock starts now that the symptoms show (or the wait gave up on them).
        let clocked = tokio::task::spawn_blocking(move || {
            challenge::start_clock(&paths, &challenge, Utc::now()).ok()
        })
        .await
        .ok()
        .flatten()
        .map(Box::new);
        send(
            &tx,
            Msg::ChallengeReady {
                missing,
                session: clocked,
            },
        );
    });
}

pub fn answer(
    paths: Paths,
    challenge: Challenge,
    question: String,
    value: String,
    tx: mpsc::UnboundedSender<Msg>,
) {
    tokio::task::spawn_blocking(move || {
        let result = challenge::answer(&paths, &challenge, &question, &value, Utc::now())
            .map(|(_, session)| Box::new(session))
            .map_err(|e| e.to_string());
        send(&tx, Msg::ChallengeSaved(result));
    });
}

pub fn hint(paths: Paths, challenge: Challenge, tx: mpsc::UnboundedSender<Msg>) {
    tokio::task::spawn_blocking(move || {
        let result = challenge::hint(&paths, &challenge, Utc::now())
            .map(|(_, _, session)| Box::new(session))
            .map_err(|e| e.to_string());
        send(&tx, Msg::ChallengeSaved(result));
    });
}

/// Grade against the lab, end the session, clear its faults, record the attempt.
pub fn submit(paths: Paths, challenge: Challenge, tx: mpsc::UnboundedSender<Msg>) {
    tokio::spawn(async move {
        let result = bounded("grading", async {
            let state = challenge::lab_state(&paths)
                .ok_or_else(|| "no lab is running: it is needed to grade".to_string())?;
            let grader = LabGrader::of(&state);
            challenge::submit(&paths, &challenge, &grader, Utc::now())
                .await
                .map(Box::new)
                .map_err(|e| e.to_string())
        })
        .await;
        send(&tx, Msg::ChallengeSubmitted(result));
        report_progress(&paths, &challenge.id, &tx);
    });
}

pub fn abandon(paths: Paths, id: String, then_quit: bool, tx: mpsc::UnboundedSender<Msg>) {
    tokio::spawn(async move {
        let result = bounded("abandoning the challenge", async {
            challenge::abandon(&paths, &id, Utc::now())
                .await
                .map(Box::new)
                .map_err(|e| e.to_string())
        })
        .await;
        send(&tx, Msg::ChallengeAbandoned { result, then_quit });
        report_progress(&paths, &id, &tx);
    });
}

/// Time out a session past its deadline, clear leftovers, and report the session on disk.
pub fn reconcile(paths: Paths, tx: mpsc::UnboundedSender<Msg>) {
    tokio::spawn(async move {
        let result = bounded("checking the challenge session", async {
            let done = challenge::reconcile_now(&paths, Utc::now())
                .await
                .map_err(|e| e.to_string())?;
            let session =
                challenge::load(&challenge::session_file(&paths)).map_err(|e| e.to_string())?;
            Ok(Box::new((done, session)))
        })
        .await;
        let id = result
            .as_ref()
            .ok()
            .and_then(|r| r.1.as_ref().map(|s| s.challenge.clone()));
        send(&tx, Msg::ChallengeReconciled(result));
        if let Some(id) = id {
            report_progress(&paths, &id, &tx);
        }
    });
}

/// Grade one exercise: choices, fixed numbers and rubrics at once; references and queries
/// against the lab.
pub fn grade_exercise(
    paths: Paths,
    lesson: String,
    exercise: String,
    expect: Expectation,
    points: u32,
    answer: String,
    tx: mpsc::UnboundedSender<Msg>,
) {
    tokio::spawn(async move {
        let needs_lab = matches!(
            expect,
            Expectation::Query { .. } | Expectation::Number { value: None, .. }
        );
        let result = if needs_lab {
            bounded("grading", async {
                let state = challenge::lab_state(&paths).ok_or_else(|| {
                    "this exercise is graded against the live lab: start it with U".to_string()
                })?;
                LabGrader::of(&state)
                    .grade_now(&expect, points, &answer)
                    .await
                    .map_err(|e| e.0)
            })
            .await
        } else {
            Ok(challenge::result_of(grading::grade(
                &expect, points, &answer,
            )))
        };
        send(
            &tx,
            Msg::ExerciseGraded {
                lesson,
                exercise,
                result,
            },
        );
    });
}
