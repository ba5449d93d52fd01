//! `labtui interview`: drills as a mock interview in the terminal, with no lab. Each
//! question is shown with its context; the answer is typed (or piped) as free text and
//! graded by the drill's rubric; the example answer and the discussion points follow; a
//! summary ends the session and each drill's attempt goes to progress.
//!
//! An answer ends with a line holding only `.`, or at the end of input, so a session can
//! be scripted: `printf 'my answer\n.\n' | labtui interview drill-averaging-percentiles`.

use std::io::{self, BufRead, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;
use color_eyre::eyre::Result;

mod dashboard;

use crate::lab::content::{Catalog, Drill};
use crate::lab::grading::Verdict;
use crate::lab::interview::{self, Answered, Choice, minutes_seconds};
use crate::lab::paths::Paths;
use crate::lab::progress;

/// `labtui interview [ID...] [--tag T] [--level N] [--count N]`
#[derive(Debug, Args)]
pub struct InterviewArgs {
    /// Drills to ask, in this order (default: chosen by --tag, --level and --count)
    pub ids: Vec<String>,
    /// Only drills with this tag
    #[arg(long)]
    pub tag: Option<String>,
    /// Only drills of this level (1-5)
    #[arg(long)]
    pub level: Option<u8>,
    /// How many drills to ask
    #[arg(long, default_value_t = 3)]
    pub count: usize,
    /// Minutes per question; an answer given later is marked over time [default: the drill's]
    #[arg(long, value_name = "MINUTES")]
    pub minutes: Option<u32>,
    /// Pick the drills in this order (the same seed asks the same drills)
    #[arg(long)]
    pub seed: Option<u64>,
}

/// Run an interview on stdin and stdout; exit 1 when no drill fits the choice.
pub fn run(catalog: &Catalog, args: &InterviewArgs) -> Result<ExitCode> {
    let seed = args
        .seed
        .unwrap_or_else(|| interview::seed_at(chrono::Utc::now()));
    let choice = Choice {
        ids: args.ids.clone(),
        tag: args.tag.clone(),
        level: args.level,
        count: args.count,
        seed,
    };
    let drills = match interview::choose(&catalog.drills, &choice) {
        Ok(d) => d,
        Err(message) => {
            eprintln!("labtui: {message}");
            return Ok(ExitCode::from(1));
        }
    };
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let mut out = io::stdout().lock();
    let mut asked = Vec::with_capacity(drills.len());
    for (i, drill) in drills.iter().enumerate() {
        let limit = interview::limit(drill, args.minutes);
        writeln!(
            out,
            "\n── Question {} of {}: {} ──",
            i + 1,
            drills.len(),
            drill.title
        )?;
        let context = drill.context.trim();
        if !context.is_empty() {
            writeln!(out, "\n{context}")?;
        }
        if let Some(recorded) = &drill.recorded {
            writeln!(out)?;
            for line in dashboard::lines(recorded) {
                writeln!(out, "{line}")?;
            }
        }
        writeln!(out, "\n{}", drill.question.trim())?;
        writeln!(
            out,
            "\n(about {} min; end your answer with a line holding only `.`)",
            limit.as_secs() / 60
        )?;
        out.flush()?;
        let began = Instant::now();
        let answer = read_answer(&mut input)?;
        let took = began.elapsed();
        let verdict = interview::grade(drill, &answer);
        for line in feedback(drill, &verdict, took, limit) {
            writeln!(out, "{line}")?;
        }
        asked.push(Answered {
            id: drill.id.clone(),
            title: drill.title.clone(),
            answer,
            verdict,
            took,
            limit,
        });
    }
    for line in summary(&asked) {
        writeln!(out, "{line}")?;
    }
    record(&asked)?;
    Ok(ExitCode::SUCCESS)
}

/// Lines up to one holding only `.`, or to the end of input.
fn read_answer(input: &mut impl BufRead) -> io::Result<String> {
    let mut answer = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 || line.trim_end() == "." {
            return Ok(answer);
        }
        answer.push_str(&line);
    }
}

/// What the interviewer says back: the score, the concepts covered and missed, the
/// example answer and the points worth discussing.
fn feedback(drill: &Drill, verdict: &Verdict, took: Duration, limit: Duration) -> Vec<String> {
    let share = interview::share(verdict);
    let mark = if verdict.correct { "pass" } else { "not yet" };
    let mut lines = vec![format!(
        "\nScore: {share:.0}% ({mark}; the pass mark is {:.0}%) · answered in {}{}",
        drill.pass * 100.0,
        minutes_seconds(took),
        if took > limit { ", over the time" } else { "" }
    )];
    lines.extend(verdict.feedback.iter().map(|f| format!("  {f}")));
    if !verdict.matched.is_empty() {
        lines.push("Covered:".into());
        lines.extend(verdict.matched.iter().map(|c| format!("  ✓ {c}")));
    }
    if !verdict.missed.is_empty() {
        lines.push("Missed:".into());
        lines.extend(verdict.missed.iter().map(|c| format!("  ✗ {c}")));
    }
    let example = drill.example_answer.trim();
    if !example.is_empty() {
        lines.push(format!("\nAn example answer:\n{example}"));
    }
    if !drill.discussion.is_empty() {
        lines.push("\nWorth discussing:".into());
        lines.extend(drill.discussion.iter().map(|d| format!("  - {d}")));
    }
    lines
}

fn summary(asked: &[Answered]) -> Vec<String> {
    let mut lines = vec!["\n── Summary ──".to_string()];
    for a in asked {
        lines.push(format!(
            "{:>4.0}%  {}  {}{}",
            a.score(),
            if a.passed() { "pass   " } else { "not yet" },
            a.title,
            if a.over_time() { " (over time)" } else { "" }
        ));
    }
    let sums = interview::summarize(asked);
    lines.push(format!("{} of {} passed", sums.passed, sums.asked));
    lines
}

/// Each drill's attempt and score (a percentage) in progress; a pass completes it.
fn record(asked: &[Answered]) -> Result<()> {
    let paths = Paths::resolve()?;
    let file = paths.progress_file();
    let mut progress = progress::load(&file)?.progress;
    let now = chrono::Utc::now();
    for a in asked {
        interview::record(&mut progress, a, now);
    }
    progress::save(&file, &progress)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_ends_at_a_lone_dot_or_at_the_end_of_input() {
        let mut input = io::Cursor::new("first line\nsecond .\n.\nnext answer\n");
        assert_eq!(read_answer(&mut input).unwrap(), "first line\nsecond .\n");
        assert_eq!(read_answer(&mut input).unwrap(), "next answer\n");
        assert_eq!(read_answer(&mut input).unwrap(), "");
    }
}
