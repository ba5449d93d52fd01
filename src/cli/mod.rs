//! The command line: argument definitions and the commands that print instead of drawing.
//! The lab's commands (`up`, `down`, `status`, `doctor`) live in [`stack`], faults in
//! [`fault`], timed challenges in [`challenge`], the shop and its traffic in [`shop`],
//! one-off backend queries in [`query`].

pub mod challenge;
pub mod fault;
pub mod interview;
pub mod paths;
pub mod query;
pub mod shop;
pub mod stack;

use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory as _, Parser, Subcommand};
use color_eyre::eyre::{Result, WrapErr, eyre};

use crate::lab::content::{self, Catalog, ItemKind};
use crate::lab::paths::Paths;
use crate::lab::progress::{self, Progress, Status};

/// Learn observability in your terminal: lessons beside live PromQL / LogQL / TraceQL,
/// challenges where you diagnose a broken shop, and interview drills.
///
/// Run `labtui` with no command to open the console. Lessons and drills work without a
/// running lab; queries and challenges need one.
#[derive(Debug, Parser)]
#[command(
    name = "labtui",
    version,
    after_help = "Examples:\n  labtui                         open the console\n  labtui up                      start the lab (then `labtui status`, `labtui down`)\n  labtui doctor                  check that this machine can run the lab\n  labtui query promql up         run a PromQL query against the lab\n  labtui lessons                 list lessons and your progress\n  labtui paths                   learning paths: beginner to expert, PCA prep\n  labtui check                   validate every lesson, challenge and drill\n  labtui progress export p.json  take your progress to another machine"
)]
pub struct Cli {
    /// Folder holding lessons/, challenges/, drills/ and paths/ (default: the current folder
    /// if it has lessons/, else the labtui source checkout)
    #[arg(long, env = "LABTUI_CONTENT", global = true, value_name = "DIR")]
    pub content: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the lab: Prometheus, Alertmanager, Loki and Tempo (more with --profile full),
    /// or attach to a stack that already runs; then the demo shop and its traffic. It keeps
    /// running until `labtui down`
    #[command(
        after_help = "Examples:\n  labtui up                                         the core lab, runtime chosen for this machine\n  labtui up --runtime native --port-base 20000      installed binaries, Prometheus on port 20000\n  labtui up --prometheus-url http://127.0.0.1:9090  attach to a Prometheus that already runs"
    )]
    Up(stack::UpArgs),
    /// Stop everything labtui started for the lab and forget it (data is kept unless --volumes)
    Down(stack::DownArgs),
    /// Show each lab component: state, version, URL, uptime and memory
    Status(stack::StatusArgs),
    /// Check that this machine can run the lab (programs, ports, disk) and that a running
    /// lab is healthy; every problem comes with how to fix it
    Doctor(stack::DoctorArgs),
    /// Check every lesson, challenge, drill and learning path: format, ids, references and
    /// that queries parse
    Check {
        /// Content folder to check (default: the one labtui reads)
        path: Option<PathBuf>,
    },
    /// List lessons with your progress
    Lessons {
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// List diagnostic challenges with your progress
    Challenges {
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// List interview drills with your progress
    Drills {
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// List learning paths with your progress, or show one path's items in order
    #[command(
        after_help = "Examples:\n  labtui paths                   every path: items done and the next one to do\n  labtui paths beginner          the beginner path, item by item\n  labtui paths pca-prep --json"
    )]
    Paths(paths::PathsArgs),
    /// Show, reset, export or import your progress
    Progress {
        #[command(subcommand)]
        action: ProgressAction,
    },
    /// Run one PromQL, LogQL or TraceQL query against the lab and print the result
    #[command(
        after_help = "Examples:\n  labtui query promql up\n  labtui query promql 'rate(http_requests_total[5m])' --since 1h\n  labtui query promql up --json\n\nExit codes: 0 success, 1 the query or a flag is wrong (the server's message on stderr), 2 no backend answers"
    )]
    Query {
        #[command(subcommand)]
        command: query::QueryCommand,
    },
    /// Take a timed challenge: start (injects its faults), status, hint, answer, submit, abandon
    #[command(
        after_help = "Examples:\n  labtui challenge start slow-checkout\n  labtui challenge status slow-checkout --json\n  labtui challenge hint slow-checkout\n  labtui challenge answer slow-checkout root-cause-service payments\n  labtui challenge submit slow-checkout\n  labtui challenge abandon slow-checkout\n\nExit codes: 0 done, 1 a mistake (the message says what to do), 2 no lab running (`labtui up`)"
    )]
    Challenge {
        #[command(subcommand)]
        action: challenge::ChallengeCommand,
    },
    /// A mock interview from the drills: answer in free text, graded by each drill's rubric
    #[command(
        after_help = "Examples:\n  labtui interview                              # three drills at random\n  labtui interview --tag percentiles --count 2\n  labtui interview drill-averaging-percentiles\n  printf 'my answer\\n.\\n' | labtui interview drill-averaging-percentiles\n\nEnd each answer with a line holding only `.` (or end the input). No lab is needed."
    )]
    Interview(interview::InterviewArgs),
    /// List, inject, clear and show faults in the lab (see docs/FAULTS.md)
    Fault {
        #[command(subcommand)]
        action: fault::FaultCommand,
    },
    /// Set or show the rate of the shop's traffic generator
    Traffic {
        #[command(subcommand)]
        action: shop::TrafficCommand,
    },
    /// Internal: run one of the shop's services (the lab starts these; see docs/SHOP.md)
    #[command(hide = true)]
    Shop {
        #[command(subcommand)]
        action: shop::ShopCommand,
    },
    /// Print a shell completion script (e.g. `labtui completions bash > ~/.local/share/bash-completion/completions/labtui`)
    Completions {
        /// bash, zsh, fish, elvish or powershell
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProgressAction {
    /// Show what you have done, per lesson, challenge and drill
    Show {
        /// Print the progress file's JSON
        #[arg(long)]
        json: bool,
    },
    /// Forget progress for one item, or for everything with --all
    Reset {
        /// The id of a lesson, challenge or drill (see `labtui lessons`)
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        id: Option<String>,
        /// Forget all progress
        #[arg(long)]
        all: bool,
    },
    /// Write your progress to FILE, to move it to another machine
    Export { file: PathBuf },
    /// Read progress from FILE (made by export) and merge it with yours
    Import {
        file: PathBuf,
        /// Replace your progress instead of merging
        #[arg(long)]
        replace: bool,
    },
}

impl Cli {
    pub fn content_root(&self) -> PathBuf {
        self.content.clone().unwrap_or_else(content::default_root)
    }
}

/// Runs a non-TUI command. The exit code says whether it found problems.
pub fn run(cli: &Cli, command: &Command) -> Result<ExitCode> {
    match command {
        Command::Up(args) => stack::up(args),
        Command::Down(args) => stack::down(args),
        Command::Status(args) => stack::status(args),
        Command::Doctor(args) => stack::doctor(args),
        Command::Check { path } => {
            let root = path.clone().unwrap_or_else(|| cli.content_root());
            Ok(check(&root))
        }
        Command::Lessons { json } => list(cli, ItemKind::Lesson, *json),
        Command::Challenges { json } => list(cli, ItemKind::Challenge, *json),
        Command::Drills { json } => list(cli, ItemKind::Drill, *json),
        Command::Paths(args) => paths::run(&load_catalog(cli), &load_progress()?.1, args),
        Command::Progress { action } => progress_command(cli, action),
        Command::Query { command } => query::run(command),
        Command::Challenge { action } => challenge::run_challenge(&load_catalog(cli), action),
        Command::Interview(args) => interview::run(&load_catalog(cli), args),
        Command::Fault { action } => fault::run_fault(action),
        Command::Traffic { action } => shop::run_traffic(action),
        Command::Shop { action } => shop::run_shop(action),
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "labtui", &mut io::stdout());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn check(root: &Path) -> ExitCode {
    let report = content::check(root);
    for problem in &report.problems {
        eprintln!("{problem}");
    }
    let summary = format!(
        "{}, {}, {}, {}, {} checked in {}",
        count(report.lessons, "lesson"),
        count(report.challenges, "challenge"),
        count(report.drills, "drill"),
        count(report.paths, "path"),
        count(report.queries_checked, "query"),
        root.display()
    );
    if report.problems.is_empty() {
        println!("ok: {summary}");
        ExitCode::SUCCESS
    } else {
        eprintln!("{}: {summary}", count(report.problems.len(), "problem"));
        ExitCode::FAILURE
    }
}

fn count(n: usize, word: &str) -> String {
    match (n, word) {
        (1, _) => format!("1 {word}"),
        (_, "query") => format!("{n} queries"),
        _ => format!("{n} {word}s"),
    }
}

fn load_progress() -> Result<(Paths, Progress)> {
    let paths = Paths::resolve()?;
    let loaded = progress::load(&paths.progress_file())?;
    if let Some(notice) = loaded.notice {
        eprintln!("note: {notice}");
    }
    Ok((paths, loaded.progress))
}

fn load_catalog(cli: &Cli) -> Catalog {
    let root = cli.content_root();
    let (catalog, problems) = Catalog::load(&root);
    if !problems.is_empty() {
        eprintln!(
            "note: {} content problems in {}; run `labtui check` for the list",
            problems.len(),
            root.display()
        );
    }
    catalog
}

fn list(cli: &Cli, kind: ItemKind, json: bool) -> Result<ExitCode> {
    let catalog = load_catalog(cli);
    let (_, progress) = load_progress()?;
    let entries = catalog.entries(kind);
    let mut out = io::stdout().lock();
    if json {
        let rows: Vec<_> = entries
            .iter()
            .map(|e| {
                let p = progress.item(&e.id);
                serde_json::json!({
                    "id": e.id, "title": e.title, "kind": kind.to_string(), "level": e.level,
                    "minutes": e.minutes, "tags": e.tags, "status": p.status,
                    "time_spent_secs": p.time_spent_secs, "attempts": p.attempts,
                    "best_score": p.best_score,
                    "points": e.points, "hints_used": p.hints_used,
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    if entries.is_empty() {
        writeln!(
            out,
            "No {} found in {}.",
            kind.folder(),
            cli.content_root().display()
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let id_width = entries.iter().map(|e| e.id.len()).max().unwrap_or(2).max(2);
    // Challenges are scored: their best attempt out of their points, and the attempts.
    let scored = kind == ItemKind::Challenge;
    let best_header = if scored {
        format!(" {:>7} {:>4}", "BEST", "TRIES")
    } else {
        String::new()
    };
    writeln!(
        out,
        "{:<12} {:<id_width$} {:>5} {:>4}{best_header}  TITLE",
        "STATUS", "ID", "LEVEL", "MIN"
    )?;
    for e in &entries {
        let item = progress.item(&e.id);
        let best = if scored {
            let score = item
                .best_score
                .map_or("-".to_string(), |b| format!("{}/{}", b.round(), e.points));
            format!(" {score:>7} {:>5}", item.attempts)
        } else {
            String::new()
        };
        writeln!(
            out,
            "{:<12} {:<id_width$} {:>5} {:>4}{best}  {}",
            item.status.to_string(),
            e.id,
            e.level,
            e.minutes,
            e.title
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn progress_command(cli: &Cli, action: &ProgressAction) -> Result<ExitCode> {
    let (paths, mut progress) = load_progress()?;
    let file = paths.progress_file();
    match action {
        ProgressAction::Show { json } => {
            if *json {
                println!("{}", serde_json::to_string_pretty(&progress)?);
            } else {
                show_progress(cli, &progress)?;
            }
        }
        ProgressAction::Reset { id: Some(id), .. } => {
            if !progress.reset(id) {
                return Err(eyre!(
                    "no progress recorded for `{id}`; `labtui progress show` lists what there is"
                ));
            }
            progress::save(&file, &progress)?;
            println!("reset progress for {id}");
        }
        ProgressAction::Reset { id: None, .. } => {
            progress.reset_all();
            progress::save(&file, &progress)?;
            println!("reset all progress in {}", file.display());
        }
        ProgressAction::Export { file: target } => {
            progress::export(&progress, target)?;
            println!("exported progress to {}", target.display());
        }
        ProgressAction::Import {
            file: source,
            replace,
        } => {
            let imported = progress::import(source)?;
            if *replace {
                progress = imported;
            } else {
                progress::merge_import(&mut progress, imported);
            }
            progress::save(&file, &progress)
                .wrap_err_with(|| format!("could not write {}", file.display()))?;
            let how = if *replace { "replaced with" } else { "merged" };
            println!("{how} progress from {}", source.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn show_progress(cli: &Cli, progress: &Progress) -> Result<()> {
    let catalog = load_catalog(cli);
    let mut out = io::stdout().lock();
    for kind in [ItemKind::Lesson, ItemKind::Challenge, ItemKind::Drill] {
        let entries = catalog.entries(kind);
        let done = entries
            .iter()
            .filter(|e| progress.item(&e.id).status == Status::Completed)
            .count();
        writeln!(out, "{}: {done}/{} complete", kind.folder(), entries.len())?;
        for e in &entries {
            let p = progress.item(&e.id);
            if p.status == Status::NotStarted {
                continue;
            }
            let best = p
                .best_score
                .map_or(String::new(), |s| format!(", best {s:.0}"));
            writeln!(
                out,
                "  {:<12} {} ({} min spent, {} attempts{best})",
                p.status.to_string(),
                e.title,
                p.time_spent_secs / 60,
                p.attempts
            )?;
        }
    }
    Ok(())
}
