//! A challenge started by the console ends with the console: the session is tied to a
//! process (here a stand-in child, killed with SIGKILL as a crashed console would be), and
//! the next labtui command abandons it, counts the attempt and clears its fault from the
//! real shop (asserted against the shop's admin API), whether that command is a status or
//! a new start. The lab is the shop alone on free
//! ports under its own LABTUI_HOME; its processes and the child are killed on drop, even
//! when the test fails.

mod shop_support;

use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

use chrono::Utc;
use labtui::lab::challenge::{self, ProcessOwner, SessionState};
use labtui::lab::content::{Catalog, Challenge};
use labtui::lab::faults::ledger;
use labtui::lab::paths::Paths;
use labtui::lab::progress::{self, Status};
use labtui::lab::shop::token;
use labtui::lab::stack::{Runtime, proc};
use shop_support::challenge::{labtui, payments_faults, text, wait_until_payments_is_clean};
use shop_support::{ShopLab, wait_for};

/// A stand-in for the console: a child process, killed and reaped on drop.
struct Console(Child);

impl Console {
    fn spawn() -> Self {
        Self(
            Command::new("sleep")
                .arg("600")
                .spawn()
                .expect("spawn sleep"),
        )
    }

    fn owner(&self) -> ProcessOwner {
        let pid = self.0.id();
        ProcessOwner {
            pid,
            start_ticks: Some(proc::info(pid).expect("the child runs").start_ticks),
        }
    }

    /// `kill -9`, then collect it so it is gone rather than a zombie.
    fn crash(&mut self) {
        self.0.kill().expect("SIGKILL");
        self.0.wait().expect("reap");
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn slow_checkout() -> Challenge {
    let (catalog, _) = Catalog::load(Path::new(env!("CARGO_MANIFEST_DIR")));
    catalog
        .challenges
        .into_iter()
        .find(|c| c.id == "slow-checkout")
        .expect("slow-checkout ships")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_challenge_whose_console_was_killed_is_abandoned_and_its_fault_cleared() {
    let (lab, state) = ShopLab::quiet(&[]).await;
    let home = lab.data_dir();
    let home = home.as_path();
    let paths = Paths::under(home);
    let token = token::read(home).unwrap();
    let ch = slow_checkout();

    // The console starts the challenge: the session records it as its owner.
    let mut console = Console::spawn();
    let started = challenge::start_owned(&paths, &ch, Utc::now(), Some(console.owner()))
        .await
        .expect("start");
    assert_eq!(started.session.process_owner, Some(console.owner()));
    let listed = wait_for(
        "the latency fault in payments",
        Duration::from_secs(15),
        || {
            let (state, token) = (state.clone(), token.clone());
            async move {
                let l = payments_faults(&state, &token).await;
                (l.len() == 1).then_some(l)
            }
        },
    )
    .await;
    assert_eq!(listed[0]["name"], "latency");

    // While the console lives, a reconcile (another command) leaves the challenge alone.
    let done = challenge::reconcile_now(&paths, Utc::now()).await.unwrap();
    assert!(
        done.abandoned.is_none() && done.cleared.is_empty(),
        "{done:?}"
    );
    assert_eq!(payments_faults(&state, &token).await.len(), 1);

    // kill -9 of the console, then labtui again: the session is abandoned on the spot.
    console.crash();
    let out = labtui(home, &["challenge", "status", "slow-checkout"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains(
            "the console that ran challenge slow-checkout exited without ending it: abandoned, faults cleared"
        ),
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains("abandoned"),
        "{}",
        text(&out.stdout)
    );

    // The shop itself has no fault left, nor has the ledger.
    wait_until_payments_is_clean(&state, &token).await;
    assert!(ledger::load(&lab.dirs).unwrap().is_empty());

    // The session says abandoned, and progress counts the attempt and its time.
    let session = challenge::load(&challenge::session_file(&paths))
        .unwrap()
        .expect("a session");
    assert_eq!(session.state, SessionState::Abandoned);
    assert!(session.ended_at.is_some());
    let item = progress::load(&paths.progress_file())
        .unwrap()
        .progress
        .item("slow-checkout");
    assert_eq!((item.attempts, item.best_score), (1, None));
    assert_eq!(item.status, Status::InProgress);

    // A second console crashes too; this time the next command is a start from the
    // command line: it ends the orphan first instead of refusing to start.
    let mut console = Console::spawn();
    challenge::start_owned(&paths, &ch, Utc::now(), Some(console.owner()))
        .await
        .expect("start again");
    wait_for("the fault again", Duration::from_secs(15), || {
        let (state, token) = (state.clone(), token.clone());
        async move { (payments_faults(&state, &token).await.len() == 1).then_some(()) }
    })
    .await;
    console.crash();
    let out = labtui(
        home,
        &["challenge", "start", "slow-checkout", "--no-wait", "--json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("exited without ending it: abandoned"),
        "{}",
        text(&out.stderr)
    );
    let session = challenge::load(&challenge::session_file(&paths))
        .unwrap()
        .expect("a session");
    assert_eq!(
        (session.state, session.attempt, session.process_owner),
        (SessionState::Running, 3, None)
    );
    let item = progress::load(&paths.progress_file())
        .unwrap()
        .progress
        .item("slow-checkout");
    assert_eq!(item.attempts, 2, "both crashed attempts are counted");
    // Only the new attempt's fault is active: the orphan's was cleared before it.
    let ledger = ledger::load(&lab.dirs).unwrap();
    assert_eq!(ledger.len(), 1, "{ledger:?}");
    assert_eq!(session.faults.len(), 1);
    assert_eq!(ledger[0].id, session.faults[0].id);
    let listed = payments_faults(&state, &token).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["id"], session.faults[0].id.as_str());

    lab.rt.down(&state).await.unwrap();
}
