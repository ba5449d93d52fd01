//! The runtime: owns the terminal, turns events into `Msg`s, runs `Cmd`s, draws when dirty.

use std::io::{self, Write as _};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use color_eyre::eyre::{Result, WrapErr};
use futures::{FutureExt as _, StreamExt as _};
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{
    DisableMouseCapture, EnableMouseCapture, Event, EventStream, KeyEventKind,
};
use ratatui::crossterm::execute;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::{mpsc, watch};

use crate::lab::progress::{self, Progress};

use super::app::{App, Cmd, Msg};
use super::challenge_effects;
use super::lab_effects::{self, LabContext};
use super::query_effects::QueryEffects;
use super::view::view;

/// How often the clock ticks (time spent, autosave).
const TICK: Duration = Duration::from_millis(250);
/// At most one frame per this interval, however many events arrive.
const FRAME: Duration = Duration::from_millis(10);

/// Where effects write, and how to reach the lab.
pub struct Effects {
    pub progress_file: PathBuf,
    pub lab: LabContext,
}

/// Turns mouse capture off again on every way out, panics included.
struct MouseGuard;

impl MouseGuard {
    fn enable() -> io::Result<Self> {
        execute!(io::stdout(), EnableMouseCapture)?;
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = execute!(io::stdout(), DisableMouseCapture);
            previous(info);
        }));
        Ok(Self)
    }
}

impl Drop for MouseGuard {
    fn drop(&mut self) {
        let _ = execute!(io::stdout(), DisableMouseCapture);
        let _ = io::stdout().flush();
    }
}

/// Runs the TUI until the learner quits or a signal arrives; the terminal is restored on
/// every path out, including errors and panics (ratatui's hook plus `MouseGuard`).
pub async fn run(app: App, effects: Effects) -> Result<()> {
    let mut terminal = ratatui::init();
    let result = match MouseGuard::enable() {
        Ok(guard) => {
            let result = event_loop(&mut terminal, app, &effects).await;
            drop(guard);
            result
        }
        Err(e) => Err(e).wrap_err("could not enable mouse reporting"),
    };
    ratatui::restore();
    result
}

async fn event_loop(terminal: &mut DefaultTerminal, app: App, effects: &Effects) -> Result<()> {
    let (tx, rx) = mpsc::unbounded_channel::<Msg>();
    let saver = Saver::spawn(effects.progress_file.clone(), tx.clone());
    let result = drive(
        terminal,
        app,
        rx,
        &Executor {
            saver: &saver,
            tx,
            lab: &effects.lab,
            queries: QueryEffects::new(effects.lab.paths.clone(), &effects.lab.config),
        },
    )
    .await;
    saver.finish().await;
    result
}

/// Test hook, debug builds only: with `LABTUI_PANIC_AFTER_DRAW` set, the console panics
/// right after its first frame, so the end-to-end tests can check that a panic restores
/// the terminal. Read once at startup; release builds never look at it.
#[cfg(debug_assertions)]
fn panic_after_draw_hook() -> bool {
    std::env::var_os("LABTUI_PANIC_AFTER_DRAW").is_some()
}

#[cfg(not(debug_assertions))]
fn panic_after_draw_hook() -> bool {
    false
}

async fn drive(
    terminal: &mut DefaultTerminal,
    mut app: App,
    mut rx: mpsc::UnboundedReceiver<Msg>,
    executor: &Executor<'_>,
) -> Result<()> {
    let mut events = EventStream::new();
    let mut ticker = tokio::time::interval(TICK);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut last_tick = Instant::now();
    let mut sigterm = signal(SignalKind::terminate()).wrap_err("could not watch SIGTERM")?;
    let mut sighup = signal(SignalKind::hangup()).wrap_err("could not watch SIGHUP")?;
    // In raw mode Ctrl-C is a key, but `kill -INT` still ends the console: quit cleanly.
    let mut sigint = signal(SignalKind::interrupt()).wrap_err("could not watch SIGINT")?;
    let panic_after_draw = panic_after_draw_hook();

    let size = terminal.size()?;
    let _ = app.update(Msg::Resized {
        width: size.width,
        height: size.height,
    });
    terminal.draw(|f| view(&app, f))?;
    if panic_after_draw {
        panic!("LABTUI_PANIC_AFTER_DRAW is set: panicking after the first frame, as asked");
    }
    // A challenge left running (by an earlier console, or `labtui challenge start`) is
    // picked up, or timed out and its faults cleared.
    executor.execute(Cmd::ReconcileChallenge);

    loop {
        let first = tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => to_msg(event),
                Some(Err(e)) => {
                    tracing::error!("terminal input failed: {e}");
                    Some(Msg::Terminate)
                }
                None => Some(Msg::Terminate),
            },
            Some(msg) = rx.recv() => Some(msg),
            _ = ticker.tick() => {
                let elapsed = last_tick.elapsed();
                last_tick = Instant::now();
                Some(Msg::Tick { elapsed, now: chrono::Utc::now() })
            }
            _ = sigterm.recv() => Some(Msg::Terminate),
            _ = sighup.recv() => Some(Msg::Terminate),
            _ = sigint.recv() => Some(Msg::Terminate),
        };
        let mut pending: Vec<Msg> = first.into_iter().collect();
        // Drain whatever else is ready so a burst of input costs one frame.
        while let Some(Some(Ok(event))) = events.next().now_or_never() {
            pending.extend(to_msg(event));
        }
        while let Ok(msg) = rx.try_recv() {
            pending.push(msg);
        }
        let mut dirty = false;
        for msg in pending {
            // Ticks redraw only while something animates (a query's spinner).
            let redraw = !matches!(msg, Msg::Tick { .. }) || app.animating();
            for cmd in app.update(msg) {
                executor.execute(cmd);
            }
            dirty |= redraw;
        }
        if app.should_quit {
            return Ok(());
        }
        if dirty {
            terminal.draw(|f| view(&app, f))?;
            tokio::time::sleep(FRAME).await;
        }
    }
}

fn to_msg(event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) if key.kind == KeyEventKind::Press => Some(Msg::Key(key)),
        Event::Mouse(mouse) => Some(Msg::Mouse(mouse)),
        Event::Resize(width, height) => Some(Msg::Resized { width, height }),
        _ => None,
    }
}

/// Starts each command's effect; results come back through `tx` as messages.
struct Executor<'a> {
    saver: &'a Saver,
    tx: mpsc::UnboundedSender<Msg>,
    lab: &'a LabContext,
    queries: QueryEffects,
}

impl Executor<'_> {
    fn execute(&self, cmd: Cmd) {
        let (lab, tx) = (self.lab.clone(), self.tx.clone());
        match cmd {
            Cmd::SaveProgress(snapshot) => self.saver.save(snapshot),
            Cmd::RunQuery {
                id,
                lang,
                expr,
                window,
                slot,
            } => self.queries.run(id, lang, expr, window, slot, tx),
            Cmd::LoadNames { lang } => self.queries.load_names(lang, tx),
            Cmd::LoadTrace { id, trace_id } => self.queries.load_trace(id, trace_id, tx),
            Cmd::LoadExemplars {
                id,
                expr,
                start,
                end,
            } => self.queries.load_exemplars(id, expr, (start, end), tx),
            Cmd::LoadServiceMap { id } => self.queries.load_service_map(id, tx),
            Cmd::CheckSyntax { lang, expr } => self.queries.check_syntax(lang, expr, tx),
            Cmd::StartTail { id, expr } => self.queries.start_tail(id, expr, tx),
            Cmd::StopTail => self.queries.stop_tail(),
            Cmd::LoadLabelValues { lang, label } => {
                self.queries.load_label_values(lang, label, tx);
            }
            Cmd::LoadAlerts { id } => self.queries.load_alerts(id, tx),
            Cmd::CreateSilence(silence) => self.queries.create_silence(silence, tx),
            Cmd::ExpireSilence { id } => self.queries.expire_silence(id, tx),
            Cmd::SaveHistory(history) => self.queries.save_history(history),
            Cmd::PollLab { id } => lab_effects::poll(lab, id, tx),
            Cmd::ControlComponent { component, action } => {
                lab_effects::control(lab, component, action, tx);
            }
            Cmd::LoadLogs { component, tail } => lab_effects::logs(lab, component, tail, tx),
            Cmd::StartLab => lab_effects::start(lab, tx),
            Cmd::InjectFault(request) => lab_effects::inject(lab, request, tx),
            Cmd::ClearFaults(name) => lab_effects::clear_faults(lab, name, tx),
            Cmd::SetTraffic { rps, burst_seconds } => {
                lab_effects::set_traffic(lab, rps, burst_seconds, tx);
            }
            Cmd::StartChallenge(challenge) => {
                challenge_effects::start(lab.paths.clone(), *challenge, tx);
            }
            Cmd::AnswerChallenge {
                challenge,
                question,
                value,
            } => challenge_effects::answer(lab.paths.clone(), *challenge, question, value, tx),
            Cmd::RevealHint(challenge) => {
                challenge_effects::hint(lab.paths.clone(), *challenge, tx)
            }
            Cmd::SubmitChallenge(challenge) => {
                challenge_effects::submit(lab.paths.clone(), *challenge, tx);
            }
            Cmd::AbandonChallenge { id, then_quit } => {
                challenge_effects::abandon(lab.paths.clone(), id, then_quit, tx);
            }
            Cmd::ReconcileChallenge => challenge_effects::reconcile(lab.paths.clone(), tx),
            Cmd::GradeExercise {
                lesson,
                exercise,
                expect,
                points,
                answer,
            } => challenge_effects::grade_exercise(
                lab.paths.clone(),
                lesson,
                exercise,
                *expect,
                points,
                answer,
                tx,
            ),
            Cmd::EndInterview | Cmd::Quit => {}
        }
    }
}

/// Writes progress off the input path. Only the newest snapshot matters, so a watch
/// channel holds it: saves never pile up and never land out of order.
struct Saver {
    latest: watch::Sender<Option<Progress>>,
    task: tokio::task::JoinHandle<()>,
}

impl Saver {
    fn spawn(path: PathBuf, tx: mpsc::UnboundedSender<Msg>) -> Self {
        let (latest, mut rx) = watch::channel(None::<Progress>);
        let task = tokio::spawn(async move {
            // Runs until the sender is dropped, then saves whatever is newest one last time.
            loop {
                let closed = rx.changed().await.is_err();
                let snapshot = rx.borrow_and_update().clone();
                if let Some(snapshot) = snapshot {
                    let path = path.clone();
                    let result =
                        tokio::task::spawn_blocking(move || progress::save(&path, &snapshot))
                            .await
                            .map_err(|e| e.to_string())
                            .and_then(|r| r.map_err(|e| e.to_string()));
                    if let Err(e) = &result {
                        tracing::error!("saving progress failed: {e}");
                    }
                    let _ = tx.send(Msg::ProgressSaved(result));
                }
                if closed {
                    return;
                }
            }
        });
        Self { latest, task }
    }

    fn save(&self, progress: Progress) {
        self.latest.send_replace(Some(progress));
    }

    /// Waits for the last snapshot to reach the disk.
    async fn finish(self) {
        let Self { latest, task } = self;
        drop(latest);
        if let Err(e) = task.await {
            tracing::error!("progress saver stopped abnormally: {e}");
        }
    }
}
