//! The lab commands: `up`, `down`, `status`, `doctor`. Each runs on its own async runtime
//! and prints plain lines as things happen (shapes in [`show`]).

mod show;

use std::future::Future;
use std::io::{self, Write as _};
use std::process::ExitCode;

use clap::Args;
use color_eyre::eyre::{Result, WrapErr};
use tokio::sync::mpsc;

use crate::lab::config::{self, Config, RuntimeChoice, StackUrls};
use crate::lab::paths::Paths;
use crate::lab::stack::docker::{DEFAULT_LAB, DockerEngine};
use crate::lab::stack::select::{self, Choice, Origin};
use crate::lab::stack::{
    Check, LabDirs, LabState, NativeOptions, NativeRuntime, Plan, PlanOptions, Profile,
    RuntimeKind, StackError, StackSpec, attach, native,
};

/// Which runtime, profile and ports a lab uses (shared by `up` and `doctor`).
#[derive(Debug, Args)]
pub struct StackArgs {
    /// How to run the stack: auto, docker, native or attach [default: `runtime` in
    /// config.toml, else auto]. auto uses Docker when an engine answers and the images are
    /// there, else the installed binaries (native); attach uses an existing stack by URL
    #[arg(long, value_name = "RUNTIME")]
    pub runtime: Option<RuntimeChoice>,

    /// core (Prometheus, Alertmanager, Loki, Tempo) or full (adds Grafana, node-exporter,
    /// the OpenTelemetry Collector, and cAdvisor in Docker) [default: core]
    #[arg(long, value_name = "PROFILE")]
    pub profile: Option<Profile>,

    /// Move every port to N + a fixed offset, to run beside other software or another lab:
    /// Prometheus on N, Alertmanager N+3, Loki N+20, Tempo N+30 (see docs/STACK.md)
    #[arg(long, value_name = "N")]
    pub port_base: Option<u16>,

    #[command(flatten)]
    pub urls: UrlArgs,
}

/// URLs of an existing stack, for `--runtime attach` (giving one implies attach).
#[derive(Debug, Args)]
pub struct UrlArgs {
    /// Prometheus of an existing stack, e.g. http://127.0.0.1:9090 [env: LABTUI_PROMETHEUS_URL]
    #[arg(long, value_name = "URL")]
    pub prometheus_url: Option<String>,
    /// Alertmanager of an existing stack [env: LABTUI_ALERTMANAGER_URL]
    #[arg(long, value_name = "URL")]
    pub alertmanager_url: Option<String>,
    /// Loki of an existing stack [env: LABTUI_LOKI_URL]
    #[arg(long, value_name = "URL")]
    pub loki_url: Option<String>,
    /// Tempo of an existing stack [env: LABTUI_TEMPO_URL]
    #[arg(long, value_name = "URL")]
    pub tempo_url: Option<String>,
}

impl UrlArgs {
    fn as_urls(&self) -> StackUrls {
        StackUrls {
            prometheus: self.prometheus_url.clone(),
            alertmanager: self.alertmanager_url.clone(),
            loki: self.loki_url.clone(),
            tempo: self.tempo_url.clone(),
        }
    }
}

/// `labtui up`.
#[derive(Debug, Args)]
pub struct UpArgs {
    #[command(flatten)]
    pub stack: StackArgs,
}

/// `labtui down`.
#[derive(Debug, Args)]
pub struct DownArgs {
    /// Also delete the lab's data (Prometheus' time series, Loki's logs, Tempo's traces),
    /// so the next `up` starts empty
    #[arg(long)]
    pub volumes: bool,
}

/// `labtui status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print a JSON array (component, state, version, url, uptime_secs, memory_bytes, pid, detail)
    #[arg(long)]
    pub json: bool,
}

/// `labtui doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub stack: StackArgs,
}

/// What every lab command needs: where the lab lives, the settings, the spec.
struct Ctx {
    config: Config,
    paths: Paths,
    dirs: LabDirs,
    spec: StackSpec,
}

impl Ctx {
    fn load() -> Result<Self> {
        let paths = Paths::resolve()?;
        let config = config::load(&paths.config_file())?;
        Ok(Self {
            config,
            dirs: LabDirs::new(&paths),
            paths,
            spec: StackSpec::builtin()?,
        })
    }

    /// The recorded lab; an unreadable state file is moved aside with a note.
    fn state(&self) -> Result<Option<LabState>> {
        match LabState::load(&self.dirs) {
            Ok(state) => Ok(state),
            Err(e @ StackError::CorruptState { .. }) => {
                eprintln!("note: {e}");
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    fn native(&self) -> NativeRuntime {
        NativeRuntime::new(self.dirs.clone(), NativeOptions::default())
    }
}

/// Run one command's future on a runtime of its own.
fn block_on<F: Future>(future: F) -> Result<F::Output> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .wrap_err("could not start the async runtime")?;
    Ok(rt.block_on(future))
}

/// Print a line now (progress must show as it happens); a closed stdout does not stop the lab.
fn say(line: &str) {
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// A recorded lab that still has components (an empty or forgotten one does not count).
fn running(state: Option<&LabState>) -> Option<&LabState> {
    state.filter(|s| !s.components.is_empty())
}

/// The runtime for `up`/`doctor`: `--runtime`, else a URL flag (attach), else the runtime
/// of the recorded lab, else config.toml's `runtime` (auto by default).
async fn pick(ctx: &Ctx, args: &StackArgs, state: Option<&LabState>, profile: Profile) -> Choice {
    let native = ctx.native();
    if let Some(choice) = args.runtime {
        return select::choose(choice, Origin::Flag, &ctx.spec, profile, &native).await;
    }
    if !attach::is_empty(&args.urls.as_urls()) {
        return Choice {
            kind: RuntimeKind::Attach,
            why: "attach: a component URL was given".to_string(),
        };
    }
    if let Some(state) = running(state) {
        let kind = select::for_existing(state);
        return Choice {
            kind,
            why: format!(
                "{kind}: the lab in {} was started with it",
                ctx.dirs.root.display()
            ),
        };
    }
    select::choose(
        ctx.config.runtime,
        Origin::Config,
        &ctx.spec,
        profile,
        &native,
    )
    .await
}

/// The plan for `choice`: flags first, then what the recorded lab used, then defaults.
fn plan(
    ctx: &Ctx,
    args: &StackArgs,
    state: Option<&LabState>,
    choice: &Choice,
) -> Result<Plan, StackError> {
    let same = running(state).filter(|s| s.runtime == choice.kind);
    let mut options = PlanOptions::new(
        args.profile
            .or(same.map(|s| s.profile))
            .unwrap_or(Profile::Core),
        choice.kind,
    );
    options.port_base = args.port_base.or(same.and_then(|s| s.port_base));
    Plan::new(&ctx.spec, &options)
}

/// URLs to attach to: flags, environment, config; to re-attach, what the lab recorded.
fn attach_urls(ctx: &Ctx, args: &StackArgs, state: Option<&LabState>) -> Result<StackUrls> {
    let urls = attach::resolve_urls(
        &args.urls.as_urls(),
        |k| std::env::var(k).ok(),
        &ctx.config.stack,
    )?;
    Ok(match running(state) {
        Some(s) if attach::is_empty(&urls) && s.runtime == RuntimeKind::Attach => {
            attach::recorded_urls(s)
        }
        _ => urls,
    })
}

/// `labtui up`: pick a runtime, say why, print each step as it happens, then a summary.
pub fn up(args: &UpArgs) -> Result<ExitCode> {
    let ctx = Ctx::load()?;
    block_on(up_async(&ctx, &args.stack))?
}

async fn up_async(ctx: &Ctx, args: &StackArgs) -> Result<ExitCode> {
    let state = ctx.state()?;
    let profile = args.profile.unwrap_or(Profile::Core);
    let choice = pick(ctx, args, state.as_ref(), profile).await;
    say(&format!("runtime {}", choice.why));
    if choice.kind != RuntimeKind::Attach && !attach::is_empty(&args.urls.as_urls()) {
        return Err(color_eyre::eyre::eyre!(
            "component URLs are for an existing stack: use them with `--runtime attach`, or drop them to start a lab of your own"
        ));
    }
    if let Some(other) = running(state.as_ref()).filter(|s| s.runtime != choice.kind) {
        return Err(StackError::OtherLab {
            runtime: other.runtime.to_string(),
            started: other.started_at.to_rfc3339(),
            dir: ctx.dirs.root.clone(),
        }
        .into());
    }
    let plan = plan(ctx, args, state.as_ref(), &choice)?;
    let urls = attach_urls(ctx, args, state.as_ref())?;
    let rt = select::open(
        choice.kind,
        ctx.dirs.clone(),
        urls,
        NativeOptions::default(),
    )
    .await?;
    let width = show::name_width(
        plan.components
            .iter()
            .chain(&plan.unavailable)
            .chain(&plan.shop),
    );
    let (tx, mut rx) = mpsc::channel(64);
    let kind = choice.kind;
    let printer = tokio::spawn(async move {
        let mut pulls = show::PullProgress::default();
        while let Some(event) = rx.recv().await {
            if pulls.worth_printing(&event) {
                say(&show::event_line(&event, width, kind));
            }
        }
    });
    let result = rt.up(&plan, tx).await;
    let _ = printer.await;
    let report = result?;
    // Faults left behind by a labtui that is gone (a crash) do not outlive this start.
    match crate::lab::faults::clear_orphans(&ctx.dirs).await {
        Ok(cleared) => {
            for f in cleared {
                say(&format!(
                    "cleared leftover fault {} on {}",
                    f.name, f.target
                ));
            }
        }
        Err(e) => say(&format!("note: leftover faults: {e}")),
    }
    // A challenge that ran out of time (or was left by a crash) ends now, with its faults.
    match crate::lab::challenge::reconcile_now(&ctx.paths, chrono::Utc::now()).await {
        Ok(done) => {
            for line in super::challenge::reconcile_lines(&done) {
                say(&line);
            }
        }
        Err(e) => say(&format!("note: challenge session: {e}")),
    }
    let (lines, ok) = show::up_summary(&report, width);
    for line in lines {
        say(&line);
    }
    let shop_runs = report.state.components.iter().any(|c| c.is_local_process());
    if kind == RuntimeKind::Attach && shop_runs {
        say(&format!(
            "The shop's metrics: {} (`labtui doctor` checks that it does).",
            attach::scrape_job(&ctx.dirs.shop_targets_file())
        ));
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `labtui down`: stop what the recorded lab started (found through pid files even when
/// the state is gone), and with --volumes delete its data.
pub fn down(args: &DownArgs) -> Result<ExitCode> {
    let ctx = Ctx::load()?;
    block_on(down_async(&ctx, args))?
}

async fn down_async(ctx: &Ctx, args: &DownArgs) -> Result<ExitCode> {
    let state = ctx.state()?;
    // Without a state, the native runtime still finds leftovers through their pid files.
    let kind = state
        .as_ref()
        .map_or(RuntimeKind::Native, select::for_existing);
    let rt = match &state {
        Some(state) => select::open_existing(state, ctx.dirs.clone()).await?,
        None => {
            select::open(
                kind,
                ctx.dirs.clone(),
                Default::default(),
                NativeOptions::default(),
            )
            .await?
        }
    };
    // Every fault goes with the lab (a paused component is resumed so it can stop).
    let _ = crate::lab::faults::clear_all_for_down(&ctx.dirs).await;
    let empty = LabState::empty(kind, Profile::Core);
    let report = rt.down(state.as_ref().unwrap_or(&empty)).await?;
    let mut out = io::stdout().lock();
    for line in show::down_lines(kind, &report, state.as_ref()) {
        writeln!(out, "{line}")?;
    }
    if args.volumes {
        match kind {
            RuntimeKind::Native => {
                let removed = native::remove_data(&ctx.dirs, &ctx.spec)?;
                if removed.is_empty() {
                    writeln!(out, "No lab data to delete.")?;
                }
                for path in removed {
                    writeln!(out, "Deleted data {}", path.display())?;
                }
            }
            RuntimeKind::Attach => writeln!(
                out,
                "No data deleted: an attached stack's data belongs to whoever runs it."
            )?,
            // `down` removed the containers and kept the data volumes; now the volumes go too.
            RuntimeKind::Docker => {
                let engine = DockerEngine::connect(DEFAULT_LAB).await?;
                let removed = engine.remove_all(true).await?;
                if removed.volumes.is_empty() {
                    writeln!(out, "No lab volumes to delete.")?;
                }
                for volume in removed.volumes {
                    writeln!(out, "Deleted volume {volume}")?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `labtui status`: each component's state, version, URL, uptime and memory, asked fresh.
pub fn status(args: &StatusArgs) -> Result<ExitCode> {
    let ctx = Ctx::load()?;
    block_on(status_async(&ctx, args))?
}

async fn status_async(ctx: &Ctx, args: &StatusArgs) -> Result<ExitCode> {
    let mut out = io::stdout().lock();
    let Some(state) = ctx.state()? else {
        if args.json {
            writeln!(out, "[]")?;
        } else {
            writeln!(out, "lab: not started")?;
            writeln!(
                out,
                "Start it with `labtui up` (`labtui doctor` first checks that this machine can run it)."
            )?;
        }
        return Ok(ExitCode::SUCCESS);
    };
    let rt = select::open_existing(&state, ctx.dirs.clone()).await?;
    let rows = rt.status(&state).await;
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&show::status_json(&rows))?
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let started = state.started_at.with_timezone(&chrono::Local);
    let ago = (chrono::Utc::now() - state.started_at)
        .to_std()
        .map(show::duration)
        .unwrap_or_default();
    writeln!(
        out,
        "lab: {} runtime, {} profile, started {} ({ago} ago)",
        state.runtime,
        state.profile,
        started.format("%Y-%m-%d %H:%M")
    )?;
    for line in show::status_table(&rows) {
        writeln!(out, "{line}")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `labtui doctor`: preflight checks for the runtime (and the running lab's health).
pub fn doctor(args: &DoctorArgs) -> Result<ExitCode> {
    let ctx = Ctx::load()?;
    block_on(doctor_async(&ctx, &args.stack))?
}

async fn doctor_async(ctx: &Ctx, args: &StackArgs) -> Result<ExitCode> {
    let state = ctx.state()?;
    let profile = args
        .profile
        .or(running(state.as_ref()).map(|s| s.profile))
        .unwrap_or(Profile::Core);
    let choice = pick(ctx, args, state.as_ref(), profile).await;
    let mut checks = vec![Check::ok("runtime choice", choice.why.clone())];
    // The running lab's own ports are checked, not the defaults.
    let lab = running(state.as_ref()).filter(|s| s.runtime == choice.kind);
    let mut plan = plan(ctx, args, state.as_ref(), &choice)?;
    if let Some(s) = lab.filter(|s| !s.ports.is_empty() && args.port_base.is_none()) {
        plan.ports = s.ports.clone();
    }
    let urls = attach_urls(ctx, args, state.as_ref())?;
    match select::open(
        choice.kind,
        ctx.dirs.clone(),
        urls,
        NativeOptions::default(),
    )
    .await
    {
        Ok(rt) => checks.extend(rt.doctor(&plan, lab).await),
        Err(e) => checks.push(Check::fail(
            format!("runtime {}", choice.kind),
            e.to_string(),
            "choose another runtime with --runtime",
        )),
    }
    let mut out = io::stdout().lock();
    let (lines, ok) = show::doctor_lines(&checks, lab.is_some());
    for line in lines {
        writeln!(out, "{line}")?;
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
