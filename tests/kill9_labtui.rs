//! `kill -9` of labtui itself, 20 times at random moments against one real native shop:
//! while it writes progress (`labtui progress import` of a big file), while it injects a
//! fault (`labtui fault inject`), and mid-challenge (`labtui challenge start`). The delay
//! before SIGKILL is drawn from a seed taken from the clock and printed, and spread over
//! how long the same command takes when left alone, so kills land in every step of it.
//!
//! After each kill: the progress file parses without being set aside and still holds
//! every item saved before the kill (an import lands whole or not at all), and the shop's
//! admin API has no fault the ledger does not know (so `fault status` shows it and `fault
//! clear` reaches it). After all kills, the next commands leave no fault of a dead labtui
//! active, in the shop or in the ledger. Prints "survived N of 20".
//! Run it with `cargo test --test kill9_labtui -- --nocapture`.

mod shop_support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use labtui::lab::challenge::{self, SessionState};
use labtui::lab::faults::ledger;
use labtui::lab::paths::Paths;
use labtui::lab::progress::{self, ItemProgress, Progress};
use labtui::lab::shop::token;
use labtui::lab::stack::{LabDirs, LabState, Runtime};
use shop_support::ShopLab;
use shop_support::challenge::{labtui, payments_faults, text};

const KILLS: usize = 20;
/// Items in each imported file: enough that reading, merging and writing take a while.
const IMPORT_ITEMS: usize = 3000;

/// A small xorshift generator: the seed is printed, so a failing run can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Moment {
    Import,
    Inject,
    Challenge,
}

/// A progress file of `n` completed items named `<prefix>-<i>`.
fn progress_with(prefix: &str, n: usize) -> Progress {
    let mut p = Progress::default();
    let now = Utc::now();
    for i in 0..n {
        let id = format!("{prefix}-{i:05}");
        p.open(&id, now);
        p.record_attempt(&id, 0.75, now);
        p.complete(&id, now);
        p.set_position(&id, i as u32);
    }
    p
}

fn args(moment: Moment, file: &Path) -> Vec<String> {
    match moment {
        Moment::Import => vec![
            "progress".into(),
            "import".into(),
            file.display().to_string(),
        ],
        Moment::Inject => ["fault", "inject", "latency", "--target", "payments"]
            .map(String::from)
            .to_vec(),
        Moment::Challenge => ["challenge", "start", "slow-checkout", "--no-wait", "--json"]
            .map(String::from)
            .to_vec(),
    }
}

/// Runs labtui and SIGKILLs it after `delay`; true when the kill found it still running.
async fn run_and_kill(home: &Path, args: &[String], delay: Duration) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_labtui"))
        .args(args)
        .env("LABTUI_HOME", home)
        .env("LABTUI_CONTENT", env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn labtui");
    tokio::time::sleep(delay).await;
    let running = child.try_wait().expect("try_wait").is_none();
    let _ = child.kill();
    child.wait().expect("reap");
    running
}

/// How long `args` takes left alone (the range the kill delays are drawn from).
async fn timed(home: &Path, args: &[String]) -> Duration {
    let t = Instant::now();
    let out = tokio::task::spawn_blocking({
        let (home, args) = (home.to_path_buf(), args.to_vec());
        move || labtui(&home, &args.iter().map(String::as_str).collect::<Vec<_>>())
    })
    .await
    .expect("join");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    t.elapsed()
}

/// The ids of the faults payments itself says are active.
async fn shop_faults(state: &LabState, token: &str) -> Vec<String> {
    let list = payments_faults(state, token).await;
    list.iter()
        .filter_map(|f| f["id"].as_str().map(String::from))
        .collect()
}

async fn payments_clean(state: &LabState, token: &str) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = shop_faults(state, token).await;
        if left.is_empty() {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("payments still has faults {left:?}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Progress after a kill: it parses as it is (nothing set aside), every item saved before
/// keeps its value, and this round's import is there whole or not at all.
fn check_progress(
    file: &Path,
    saved: &BTreeMap<String, ItemProgress>,
    round_items: &BTreeMap<String, ItemProgress>,
) -> Result<bool, String> {
    let loaded = progress::load(file).map_err(|e| format!("progress does not load: {e}"))?;
    if let Some(notice) = loaded.notice {
        return Err(format!("progress was set aside: {notice}"));
    }
    let items = &loaded.progress.items;
    for (id, item) in saved {
        if items.get(id) != Some(item) {
            return Err(format!(
                "saved item {id} lost or changed: {:?}",
                items.get(id)
            ));
        }
    }
    let present = round_items
        .keys()
        .filter(|id| items.contains_key(*id))
        .count();
    if present != 0 && present != round_items.len() {
        return Err(format!(
            "a torn import: {present} of {} items",
            round_items.len()
        ));
    }
    Ok(present == round_items.len() && present > 0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn labtui_survives_kill_9_at_random_moments() {
    let started = Instant::now();
    let (lab, state) = ShopLab::quiet(&[]).await;
    let home = lab.data_dir();
    let home = home.as_path();
    let paths = Paths::under(home);
    let dirs = LabDirs::new(&paths);
    let token = token::read(home).unwrap();
    let progress_file = paths.progress_file();
    let files = tempfile::tempdir().expect("import dir");

    // The baseline: items saved before any kill, through labtui itself.
    let baseline = files.path().join("baseline.json");
    progress::export(&progress_with("k9-base", 200), &baseline).unwrap();
    let import = |file: &Path| args(Moment::Import, file);
    timed(home, &import(&baseline)).await;
    let mut saved: BTreeMap<String, ItemProgress> = progress::load(&progress_file)
        .unwrap()
        .progress
        .items
        .into_iter()
        .collect();
    assert_eq!(saved.len(), 200);

    // How long each moment takes when left alone (the last one also makes the file big).
    let calibrate = files.path().join("calibrate.json");
    progress::export(&progress_with("k9-cal", IMPORT_ITEMS), &calibrate).unwrap();
    let mut span = BTreeMap::new();
    span.insert("import", timed(home, &import(&calibrate)).await);
    let nothing = Path::new("");
    span.insert("inject", timed(home, &args(Moment::Inject, nothing)).await);
    timed(home, &["fault".into(), "clear".into(), "--all".into()]).await;
    span.insert(
        "challenge",
        timed(home, &args(Moment::Challenge, nothing)).await,
    );
    timed(
        home,
        &["challenge".into(), "abandon".into(), "slow-checkout".into()],
    )
    .await;
    saved = progress::load(&progress_file)
        .unwrap()
        .progress
        .items
        .into_iter()
        .filter(|(id, _)| id.starts_with("k9-"))
        .collect();
    eprintln!("undisturbed durations: {span:?}");

    let seed = Utc::now().timestamp_nanos_opt().unwrap_or(1) as u64 | 1;
    eprintln!("kill -9 seed: {seed}");
    let mut rng = Rng(seed);
    let mut survived = 0;
    let mut failures = Vec::new();
    let mut killed_running = 0;
    for round in 0..KILLS {
        let moment = [Moment::Import, Moment::Inject, Moment::Challenge][round % 3];
        let whole = span[match moment {
            Moment::Import => "import",
            Moment::Inject => "inject",
            Moment::Challenge => "challenge",
        }];
        let delay = Duration::from_micros(rng.below(whole.as_micros() as u64 * 11 / 10));
        let file = files.path().join(format!("round-{round}.json"));
        let mut round_items = BTreeMap::new();
        if moment == Moment::Import {
            let p = progress_with(&format!("k9-r{round:02}"), IMPORT_ITEMS);
            progress::export(&p, &file).unwrap();
            round_items = p.items.into_iter().collect();
        }
        let was_running = run_and_kill(home, &args(moment, &file), delay).await;
        killed_running += usize::from(was_running);

        let mut landed = "";
        let mut outcome = check_progress(&progress_file, &saved, &round_items).map(|whole| {
            if whole {
                saved.extend(round_items.clone());
                landed = ", import landed whole";
            } else if moment == Moment::Import {
                landed = ", import not landed";
            }
        });
        if outcome.is_ok() && moment != Moment::Import {
            // What the next command sees: a ledger the shop agrees with.
            let _ = labtui(home, &["fault", "status"]);
            let known: Vec<String> = ledger::load(&dirs)
                .unwrap_or_default()
                .into_iter()
                .map(|f| f.id)
                .collect();
            let untracked: Vec<String> = shop_faults(&state, &token)
                .await
                .into_iter()
                .filter(|id| !known.contains(id))
                .collect();
            if !untracked.is_empty() {
                outcome = Err(format!(
                    "payments has faults the ledger does not know: {untracked:?}"
                ));
            }
        }
        if moment == Moment::Challenge {
            // A `challenge start` session has no owning process: it runs until abandoned.
            let _ = labtui(home, &["challenge", "status", "slow-checkout"]);
            let session = challenge::load(&challenge::session_file(&paths)).unwrap();
            if session.is_some_and(|s| s.state == SessionState::Running) {
                let out = labtui(home, &["challenge", "abandon", "slow-checkout"]);
                if outcome.is_ok() && out.status.code() != Some(0) {
                    outcome = Err(format!("abandon failed: {}", text(&out.stderr)));
                }
            }
        } else if moment == Moment::Inject {
            let _ = labtui(home, &["fault", "clear", "--all"]);
        }
        if outcome.is_ok() && moment != Moment::Import {
            outcome = payments_clean(&state, &token).await;
        }
        eprintln!(
            "kill {:2}: {moment:?} after {delay:?} ({}{landed}): {}",
            round + 1,
            if was_running { "killed" } else { "had exited" },
            match &outcome {
                Ok(()) => "ok".to_string(),
                Err(e) => e.clone(),
            }
        );
        match outcome {
            Ok(()) => survived += 1,
            Err(e) => failures.push(format!("kill {}: {moment:?}: {e}", round + 1)),
        }
    }

    // The next labtui commands reconcile: no fault of a dead labtui is left anywhere.
    for command in [&["challenge", "status"][..], &["fault", "status"][..]] {
        let _ = labtui(home, command);
    }
    let finally = payments_clean(&state, &token).await;
    let left = ledger::load(&dirs).unwrap();
    let temps: Vec<String> = std::fs::read_dir(&dirs.root)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    eprintln!("temp files left in the lab dir by killed writes: {temps:?}");
    eprintln!(
        "survived {survived} of {KILLS} ({killed_running} killed mid-run) in {:.1?}; seed {seed}",
        started.elapsed()
    );
    lab.rt.down(&state).await.unwrap();
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(survived, KILLS);
    finally.unwrap();
    assert!(left.is_empty(), "the ledger still records {left:?}");
}
