//! The `labtui` binary: parses the command line, then opens the console or runs a command.

use std::process::ExitCode;

use clap::Parser as _;
use color_eyre::eyre::{Result, WrapErr};

use labtui::cli::{self, Cli};
use labtui::lab::content::Catalog;
use labtui::lab::paths::Paths;
use labtui::lab::query::history::History;
use labtui::lab::{config, progress};
use labtui::tui::app::App;
use labtui::tui::lab_effects::LabContext;
use labtui::tui::runtime::{self, Effects};
use labtui::tui::theme::Theme;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = color_eyre::install() {
        eprintln!("labtui: could not install error reporting: {e}");
    }
    let result = match &cli.command {
        Some(command) => {
            exit_quietly_on_a_closed_pipe();
            cli::run(&cli, command)
        }
        None => open_console(&cli).map(|()| ExitCode::SUCCESS),
    };
    // A closed pipe never gets here: commands end by SIGPIPE (exit_quietly_on_a_closed_pipe).
    result.unwrap_or_else(|e| {
        eprintln!("labtui: {e:#}");
        ExitCode::FAILURE
    })
}

/// `labtui fault status | head -1`: once the reader has gone, end as Unix tools do (killed
/// by SIGPIPE, silently) rather than panic in `println!`. Only for commands: the console
/// keeps Rust's default (ignored, an error to handle). Sockets are unaffected either way
/// (Rust sends with MSG_NOSIGNAL), and no command writes to a child's pipe.
fn exit_quietly_on_a_closed_pipe() {
    // SAFETY: setting a signal's disposition to the default is async-signal-safe and done
    // before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Everything that can fail before the terminal changes mode happens first, so errors
/// print plainly; then the TUI runs.
fn open_console(cli: &Cli) -> Result<()> {
    let paths = Paths::resolve()?;
    std::fs::create_dir_all(&paths.data_dir)
        .wrap_err_with(|| format!("could not create {}", paths.data_dir.display()))?;
    let _log_guard = init_logging(&paths);
    let config = config::load(&paths.config_file())?;
    let first_launch = !paths.progress_file().exists();
    let loaded = progress::load(&paths.progress_file())?;
    let root = cli.content_root();
    let (catalog, problems) = Catalog::load(&root);
    for problem in &problems {
        tracing::warn!("content problem: {problem}");
    }
    let theme = Theme::new(config.theme, config::no_color());
    let (width, height) = ratatui::crossterm::terminal::size().unwrap_or((100, 30));
    let mut app = App::new(
        catalog,
        loaded.progress,
        theme,
        (width, height),
        chrono::Utc::now(),
    );
    app.content_problems = problems.len();
    app.query.history = History::load(&History::file(&paths.data_dir));
    if first_launch {
        app.welcome();
    }
    if let Some(notice) = loaded.notice {
        app.warn(notice);
    }
    tracing::info!(content = %root.display(), "console starting");
    let tokio = tokio::runtime::Runtime::new().wrap_err("could not start the async runtime")?;
    tokio.block_on(runtime::run(
        app,
        Effects {
            progress_file: paths.progress_file(),
            lab: LabContext::new(paths.clone(), config),
        },
    ))
}

/// Own logs go to a file in the data dir, never to the screen.
fn init_logging(paths: &Paths) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let appender = tracing_appender::rolling::never(&paths.data_dir, Paths::log_file_name());
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_env("LABTUI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(guard)
}
