//! `labtui challenge start|status|hint|answer|submit|abandon ID`: a timed challenge from
//! the command line, on the same session API the console's runner pane uses.

use std::process::ExitCode;
use std::time::Duration;

use chrono::{DateTime, Local, Utc};
use clap::Subcommand;
use color_eyre::eyre::{Result, WrapErr};

use crate::lab::challenge::{
    self, ChallengeError, QuestionResult, Reconciled, Session, StatusReport, WarmUp,
};
use crate::lab::content::{Catalog, Challenge, Expectation};
use crate::lab::faults::{self, ActiveFault};
use crate::lab::paths::Paths;

/// `labtui challenge ...`
#[derive(Debug, Subcommand)]
pub enum ChallengeCommand {
    /// Show the briefing, inject the challenge's faults, wait for their symptoms, start the clock
    Start {
        /// The challenge's id (see `labtui challenges`)
        id: String,
        /// Do not wait for the faults' symptoms to show in Prometheus
        #[arg(long)]
        no_wait: bool,
        /// How long to wait for the symptoms at most: 30s, 2m
        #[arg(long, value_name = "DURATION", default_value = "60s")]
        wait: String,
        /// Print the session as JSON (as `status --json`) instead of the briefing
        #[arg(long)]
        json: bool,
    },
    /// Time left, your answers, hints taken and the faults active for the challenge
    Status {
        id: String,
        /// Print a JSON document
        #[arg(long)]
        json: bool,
    },
    /// Reveal the next hint (it costs the points it shows)
    Hint {
        id: String,
        /// Print the hint and the session as JSON
        #[arg(long)]
        json: bool,
    },
    /// Record an answer to one question; answer again to change it until you submit
    Answer {
        id: String,
        /// The question's id (`labtui challenge status ID` lists them)
        question: String,
        /// The answer: a choice, a number, a query or text (quote it)
        value: String,
        /// Print the session as JSON
        #[arg(long)]
        json: bool,
    },
    /// Grade every answer, clear the faults, record your score, show the solution
    Submit {
        id: String,
        /// Do not print the solution afterwards
        #[arg(long)]
        no_solution: bool,
        /// Print the results as JSON
        #[arg(long)]
        json: bool,
    },
    /// Give the challenge up: clear its faults; the attempt counts without a score
    Abandon {
        id: String,
        /// Print the session as JSON
        #[arg(long)]
        json: bool,
    },
}

impl ChallengeCommand {
    fn id(&self) -> &str {
        match self {
            Self::Start { id, .. }
            | Self::Status { id, .. }
            | Self::Hint { id, .. }
            | Self::Answer { id, .. }
            | Self::Submit { id, .. }
            | Self::Abandon { id, .. } => id,
        }
    }
}

/// Run `labtui challenge ...`: exit 0 done, 1 a mistake (the message says what to do),
/// 2 no lab running.
pub fn run_challenge(catalog: &Catalog, command: &ChallengeCommand) -> Result<ExitCode> {
    let paths = Paths::resolve()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .wrap_err("could not start the async runtime")?;
    match runtime.block_on(run(&paths, catalog, command)) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(Failure::Challenge(e)) => {
            eprintln!("labtui: {e}");
            Ok(ExitCode::from(e.exit_code()))
        }
        Err(Failure::Other(e)) => Err(e),
    }
}

enum Failure {
    Challenge(ChallengeError),
    Other(color_eyre::Report),
}

impl From<ChallengeError> for Failure {
    fn from(e: ChallengeError) -> Self {
        Self::Challenge(e)
    }
}

impl From<serde_json::Error> for Failure {
    fn from(e: serde_json::Error) -> Self {
        Self::Other(e.into())
    }
}

async fn run(paths: &Paths, catalog: &Catalog, command: &ChallengeCommand) -> Result<(), Failure> {
    let challenge = find(catalog, command.id())?;
    let now = Utc::now();
    // First, for start too: its check below must not take a session whose console died
    // (abandoned here) for one that still runs.
    let done = challenge::reconcile_now(paths, now).await?;
    for line in reconcile_lines(&done) {
        eprintln!("{line}");
    }
    match command {
        ChallengeCommand::Start {
            no_wait,
            wait,
            json,
            ..
        } => {
            let within = faults::parse_ttl(wait).map_err(|e| Failure::Other(e.into()))?;
            // Refuse before the briefing when the start cannot happen.
            if let Some(s) =
                challenge::load(&challenge::session_file(paths))?.filter(|s| s.is_live(now))
            {
                return Err(ChallengeError::AlreadyRunning {
                    running: s.challenge,
                }
                .into());
            }
            if challenge::lab_state(paths).is_none() {
                return Err(ChallengeError::NoLab.into());
            }
            if !json {
                for line in briefing(challenge) {
                    println!("{line}");
                }
            }
            let started = challenge::start(paths, challenge, now).await?;
            for line in reconcile_lines(&started.reconciled) {
                eprintln!("{line}");
            }
            let mut session = started.session;
            if !json {
                for f in &session.faults {
                    println!(
                        "injected {} on {} ({}), expires by itself in {}",
                        f.name,
                        f.target,
                        f.id,
                        faults::format_remaining(f.remaining(Utc::now()))
                    );
                }
            }
            if !no_wait {
                wait_for_symptoms(paths, &session.faults, within, *json).await;
                // The wait does not count against the time limit.
                session = challenge::start_clock(paths, challenge, Utc::now())?;
            }
            if *json {
                let (_, report) = challenge::status(paths, challenge, Utc::now()).await?;
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!(
                    "The clock runs: {} left, until {}.",
                    faults::format_remaining(session.remaining(Utc::now())),
                    local_time(session.deadline)
                );
                println!(
                    "Answer with `labtui challenge answer {id} QUESTION VALUE`, then `labtui challenge submit {id}`.",
                    id = challenge.id
                );
            }
        }
        ChallengeCommand::Status { json, .. } => {
            let (_, report) = challenge::status(paths, challenge, now).await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                for line in status_lines(&report) {
                    println!("{line}");
                }
            }
        }
        ChallengeCommand::Hint { json, .. } => {
            let (index, hint, session) = challenge::hint(paths, challenge, now)?;
            if *json {
                let doc = serde_json::json!({
                    "hint": { "number": index + 1, "cost": hint.cost, "text": hint.text.trim() },
                    "hints_taken": session.hints.len(),
                    "hints_available": challenge.hints.len(),
                    "hint_cost": session.hint_cost(),
                });
                println!("{}", serde_json::to_string_pretty(&doc)?);
            } else {
                println!(
                    "Hint {} of {} (costs {} points; {} in all so far):",
                    index + 1,
                    challenge.hints.len(),
                    hint.cost,
                    session.hint_cost()
                );
                for line in hint.text.trim().lines() {
                    println!("  {line}");
                }
            }
        }
        ChallengeCommand::Answer {
            question,
            value,
            json,
            ..
        } => {
            let (previous, session) = challenge::answer(paths, challenge, question, value, now)?;
            let recorded = &session.answers[question.as_str()];
            if *json {
                let doc = serde_json::json!({
                    "question": question, "answer": recorded, "previous": previous,
                });
                println!("{}", serde_json::to_string_pretty(&doc)?);
            } else {
                match previous {
                    Some(old) if &old != recorded => {
                        println!("{question}: {recorded} (was {old})");
                    }
                    _ => println!("{question}: {recorded}"),
                }
                let left = challenge.questions.len() - session.answers.len();
                if left > 0 {
                    println!(
                        "{left} question(s) unanswered; `labtui challenge status {}` lists them",
                        challenge.id
                    );
                }
            }
        }
        ChallengeCommand::Submit {
            no_solution, json, ..
        } => {
            let Some(state) = challenge::lab_state(paths) else {
                return Err(ChallengeError::NoLab.into());
            };
            let grader = challenge::LabGrader::of(&state);
            let submission = challenge::submit(paths, challenge, &grader, now).await?;
            for w in &submission.warnings {
                eprintln!("warning: {w}");
            }
            if *json {
                let doc = serde_json::json!({
                    "challenge": challenge.id,
                    "score": submission.score,
                    "results": submission.results.iter().map(|(id, r)| serde_json::json!({
                        "id": id, "earned": r.earned, "max": r.max, "correct": r.correct,
                        "feedback": r.feedback,
                    })).collect::<Vec<_>>(),
                    "cleared": submission.cleared.iter().map(|f| &f.id).collect::<Vec<_>>(),
                });
                println!("{}", serde_json::to_string_pretty(&doc)?);
            } else {
                for line in submit_lines(challenge, &submission.results, &submission.session) {
                    println!("{line}");
                }
                for line in cleared_lines(&submission.cleared) {
                    println!("{line}");
                }
                if !no_solution && !challenge.solution.trim().is_empty() {
                    println!();
                    println!("## Solution");
                    println!();
                    println!("{}", challenge.solution.trim());
                }
            }
        }
        ChallengeCommand::Abandon { json, .. } => {
            let ended = challenge::abandon(paths, &challenge.id, now).await?;
            for w in &ended.warnings {
                eprintln!("warning: {w}");
            }
            if *json {
                let (_, report) = challenge::status(paths, challenge, Utc::now()).await?;
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!(
                    "abandoned {} after {} (attempt {}); it counts as an attempt without a score",
                    challenge.id,
                    faults::format_remaining(Duration::from_secs(ended.session.elapsed_secs(now))),
                    ended.session.attempt
                );
                for line in cleared_lines(&ended.cleared) {
                    println!("{line}");
                }
            }
        }
    }
    Ok(())
}

fn find<'c>(catalog: &'c Catalog, id: &str) -> Result<&'c Challenge, ChallengeError> {
    catalog
        .challenges
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| ChallengeError::UnknownChallenge {
            id: id.to_string(),
            known: catalog
                .challenges
                .iter()
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// Poll each fault's symptom query in the lab's Prometheus, printing progress lines.
async fn wait_for_symptoms(paths: &Paths, faults: &[ActiveFault], within: Duration, quiet: bool) {
    if faults.is_empty() {
        return;
    }
    let Some(state) = challenge::lab_state(paths) else {
        eprintln!("note: no lab is running; not waiting for the symptoms");
        return;
    };
    let client = match challenge::symptom_client(&state) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("note: {e}; not waiting for the symptoms");
            return;
        }
    };
    let probe = |query: String| {
        let client = client.clone();
        async move { challenge::symptom_shows(&client, &query).await }
    };
    challenge::warm_up(faults, within, Duration::from_secs(2), probe, |event| {
        match event {
            WarmUp::Waiting { pending, elapsed } if !quiet => println!(
                "waiting for symptoms ({}s): {}",
                elapsed.as_secs(),
                pending.join(", ")
            ),
            WarmUp::Showed { fault, after } if !quiet => {
                println!("symptom of {fault} shows ({}s)", after.as_secs());
            }
            WarmUp::Missing { fault, query } => eprintln!(
                "warning: the symptom of {fault} did not show within {}s; the challenge runs anyway (query: {query})",
                within.as_secs()
            ),
            _ => {}
        }
    })
    .await;
}

/// The briefing `start` prints: title, limit, the story, the questions and the hints' cost.
pub fn briefing(challenge: &Challenge) -> Vec<String> {
    let mut out = vec![
        format!("{} ({})", challenge.title, challenge.id),
        format!(
            "Level {}, {}, time limit {} minutes",
            challenge.level,
            challenge.tier.as_str(),
            challenge.minutes
        ),
        String::new(),
    ];
    let story = challenge.briefing.trim();
    // The file's own `# Title` repeats the title printed above.
    let story = story
        .strip_prefix('#')
        .filter(|_| !story.starts_with("##"))
        .and_then(|s| s.split_once('\n').map(|(_, rest)| rest.trim()))
        .unwrap_or(story);
    out.extend(story.lines().map(str::to_string));
    out.push(String::new());
    out.push("Questions:".to_string());
    for q in &challenge.questions {
        out.push(format!(
            "  {} ({}, {} points)",
            q.id,
            q.expect.kind_name(),
            q.points
        ));
        for line in q.prompt.trim().lines() {
            out.push(format!("      {line}"));
        }
        match &q.expect {
            Expectation::Choice { options, .. } => {
                out.push(format!("      options: {}", options.join(", ")));
            }
            Expectation::Number { unit: Some(u), .. } => {
                out.push(format!("      a number, in {u}"));
            }
            _ => {}
        }
    }
    let costs: Vec<String> = challenge.hints.iter().map(|h| h.cost.to_string()).collect();
    out.push(match costs.len() {
        0 => "Hints: none.".to_string(),
        n => format!(
            "Hints: {n}, costing {} points (`labtui challenge hint {}` reveals the next).",
            costs.join(", "),
            challenge.id
        ),
    });
    out
}

/// `status` as text.
pub fn status_lines(report: &StatusReport) -> Vec<String> {
    let clock = match report.state {
        challenge::SessionState::Running => format!(
            "{} left (until {})",
            faults::format_remaining(Duration::from_secs(report.remaining_secs)),
            local_time(report.deadline)
        ),
        _ => format!(
            "took {}",
            faults::format_remaining(Duration::from_secs(report.elapsed_secs))
        ),
    };
    let mut out = vec![format!(
        "{} ({}), attempt {}: {}, {clock}",
        report.title, report.challenge, report.attempt, report.state
    )];
    let width = report
        .questions
        .iter()
        .map(|q| q.id.len())
        .max()
        .unwrap_or(0);
    out.push("Questions:".to_string());
    for q in &report.questions {
        let answer = q.answer.as_deref().unwrap_or("unanswered");
        let result = q
            .result
            .as_ref()
            .map_or(String::new(), |r| format!("  [{}/{}]", r.earned, r.max));
        out.push(format!(
            "  {:<width$}  {:<6} {:>3} pts  {answer}{result}",
            q.id, q.kind, q.points
        ));
    }
    out.push(format!(
        "Hints: {} of {} taken, costing {} points",
        report.hints.taken, report.hints.available, report.hints.cost
    ));
    if report.faults.is_empty() {
        out.push("Faults: none active".to_string());
    } else {
        for f in &report.faults {
            out.push(format!(
                "Fault: {} on {} ({}), {} left",
                f.name,
                f.target,
                f.id,
                faults::format_remaining(Duration::from_secs(f.remaining_secs))
            ));
        }
    }
    if let Some(s) = &report.score {
        out.push(format!(
            "Score: {} of {} ({} earned, {} for hints)",
            s.total, s.max, s.earned, s.hint_cost
        ));
    }
    out
}

/// Per-question results and the score, as `submit` prints them.
fn submit_lines(
    challenge: &Challenge,
    results: &[(String, QuestionResult)],
    session: &Session,
) -> Vec<String> {
    let mut out = Vec::new();
    for (id, r) in results {
        let mark = if r.correct { "correct" } else { "not right" };
        let answer = session.answers.get(id).map_or("unanswered", String::as_str);
        out.push(format!("{id}: {}/{} {mark} ({answer})", r.earned, r.max));
        out.extend(r.feedback.iter().map(|f| format!("    {f}")));
    }
    if let Some(s) = &session.score {
        out.push(format!(
            "Score: {} of {} ({} earned, {} for {} hints)",
            s.total,
            s.max,
            s.earned,
            s.hint_cost,
            session.hints.len()
        ));
        out.push(format!(
            "Time: {} of {} minutes; attempt {}",
            faults::format_remaining(Duration::from_secs(s.elapsed_secs)),
            challenge.minutes,
            s.attempt
        ));
    }
    out
}

fn cleared_lines(cleared: &[ActiveFault]) -> Vec<String> {
    cleared
        .iter()
        .map(|f| format!("cleared {} on {} ({})", f.name, f.target, f.id))
        .collect()
}

/// What a reconcile did, as lines for the learner (`up` prints them too).
pub fn reconcile_lines(done: &Reconciled) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(s) = &done.timed_out {
        out.push(format!(
            "challenge {} timed out at {} (attempt {}); it counts as an attempt without a score",
            s.challenge,
            local_time(s.deadline),
            s.attempt
        ));
    }
    if let Some(s) = &done.abandoned {
        let faults = if done.warnings.is_empty() {
            ", faults cleared"
        } else {
            ""
        };
        out.push(format!(
            "the console that ran challenge {} exited without ending it: abandoned{faults} (attempt {}, counted without a score)",
            s.challenge, s.attempt
        ));
    }
    out.extend(done.cleared.iter().map(|f| {
        format!(
            "cleared challenge fault {} on {} ({})",
            f.name, f.target, f.id
        )
    }));
    out.extend(done.warnings.iter().map(|w| format!("warning: {w}")));
    out
}

fn local_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%H:%M:%S").to_string()
}
