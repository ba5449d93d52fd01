//! `labtui challenge ...` as a learner runs it, against a real native lab with the shop on
//! free ports and its own LABTUI_HOME (processes killed on drop, even when a test fails):
//! start injects the challenge's fault through the admin API, status, answer, hint,
//! abandon, and a session left past its deadline (a killed labtui) is ended on the next
//! command with its fault cleared.

mod shop_support;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use labtui::lab::challenge;
use labtui::lab::faults::ledger;
use labtui::lab::paths::Paths;
use labtui::lab::progress;
use labtui::lab::shop::token;
use labtui::lab::stack::{LabState, Runtime};
use shop_support::{ShopLab, client, shop_launch, wait_for};

fn labtui(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_labtui"))
        .args(args)
        .env("LABTUI_HOME", home)
        .env("LABTUI_CONTENT", env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run labtui")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Run and expect exit code `code`; returns stdout.
fn expect(home: &Path, args: &[&str], code: i32) -> String {
    let out = labtui(home, args);
    assert_eq!(
        out.status.code(),
        Some(code),
        "labtui {args:?}\nstdout: {}\nstderr: {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

fn status_json(home: &Path) -> serde_json::Value {
    let out = expect(home, &["challenge", "status", "slow-checkout", "--json"], 0);
    serde_json::from_str(&out).expect("status --json is JSON")
}

/// The faults the payments service itself says are active.
async fn payments_faults(state: &LabState, token: &str) -> Vec<serde_json::Value> {
    client()
        .get(format!(
            "{}/admin/faults",
            state.url("shop-payments").expect("payments")
        ))
        .bearer_auth(token)
        .send()
        .await
        .expect("admin API")
        .json()
        .await
        .expect("a JSON list")
}

async fn wait_until_payments_is_clean(state: &LabState, token: &str) {
    wait_for(
        "no fault active in payments",
        Duration::from_secs(15),
        || {
            let (state, token) = (state.clone(), token.to_string());
            async move {
                payments_faults(&state, &token)
                    .await
                    .is_empty()
                    .then_some(())
            }
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_challenge_from_start_to_abandon_and_after_a_crash() {
    let mut launch = shop_launch();
    launch.traffic_rps = Some(0.0);
    let lab = ShopLab::new(&[], launch);
    let plan = lab.plan();
    lab.up(&plan).await;
    let state = LabState::load(&lab.dirs).unwrap().expect("state");
    let home = lab.data_dir();
    let home = home.as_path();
    let token = token::read(home).unwrap();

    // start: the briefing, the injection, the deadline.
    let out = expect(
        home,
        &["challenge", "start", "slow-checkout", "--no-wait"],
        0,
    );
    assert!(out.contains("Paged: checkout is slow"), "{out}");
    assert!(
        out.contains("root-cause-service (choice, 10 points)"),
        "{out}"
    );
    assert!(out.contains("Hints: 4, costing 2, 3, 5, 5 points"), "{out}");
    assert!(out.contains("injected latency on payments"), "{out}");
    assert!(
        out.contains("The clock runs: 19m 5") || out.contains("The clock runs: 20m 00s"),
        "{out}"
    );

    // The fault is live in payments, with the challenge's parameters and TTL.
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
    assert_eq!(listed[0]["params"]["ms"], 900.0);
    let fault_status: serde_json::Value =
        serde_json::from_str(&expect(home, &["fault", "status", "--json"], 0)).unwrap();
    assert_eq!(fault_status[0]["owner"], "challenge:slow-checkout");
    let left = fault_status[0]["remaining_seconds"].as_u64().unwrap();
    assert!(
        (20 * 60..=21 * 60).contains(&left),
        "TTL is the limit plus a minute: {left}"
    );

    // status --json: time left and the fault.
    let status = status_json(home);
    assert_eq!(status["state"], "running");
    let remaining = status["remaining_secs"].as_u64().unwrap();
    assert!((19 * 60..=20 * 60).contains(&remaining), "{status}");
    assert_eq!(status["faults"][0]["name"], "latency");
    assert_eq!(status["faults"][0]["target"], "payments");
    assert_eq!(status["questions"][0]["answer"], serde_json::Value::Null);

    // answer records, and answering again edits.
    let out = expect(
        home,
        &[
            "challenge",
            "answer",
            "slow-checkout",
            "root-cause-service",
            "orders",
        ],
        0,
    );
    assert!(out.contains("root-cause-service: orders"), "{out}");
    let out = expect(
        home,
        &[
            "challenge",
            "answer",
            "slow-checkout",
            "root-cause-service",
            "payments",
        ],
        0,
    );
    assert!(
        out.contains("root-cause-service: payments (was orders)"),
        "{out}"
    );
    let bad = labtui(home, &["challenge", "answer", "slow-checkout", "who", "x"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad.stderr).contains("root-cause-service, fault-kind, charge-p95, charge-p95-query"),
        "{}",
        text(&bad.stderr)
    );
    assert_eq!(status_json(home)["questions"][0]["answer"], "payments");

    // hint: states the cost, and is recorded.
    let out = expect(home, &["challenge", "hint", "slow-checkout"], 0);
    assert!(out.contains("Hint 1 of 4 (costs 2 points"), "{out}");
    let status = status_json(home);
    assert_eq!(status["hints"]["taken"], 1);
    assert_eq!(status["hints"]["cost"], 2);

    // One challenge at a time.
    let second = labtui(home, &["challenge", "start", "orders-backlog", "--no-wait"]);
    assert_eq!(second.status.code(), Some(1));
    assert!(
        text(&second.stderr).contains("`labtui challenge abandon slow-checkout`"),
        "{}",
        text(&second.stderr)
    );

    // abandon: the fault goes, the attempt and its time are recorded.
    let out = expect(home, &["challenge", "abandon", "slow-checkout"], 0);
    assert!(out.contains("abandoned slow-checkout"), "{out}");
    wait_until_payments_is_clean(&state, &token).await;
    assert!(ledger::load(&lab.dirs).unwrap().is_empty());
    let p = progress::load(&home.join("progress.json"))
        .unwrap()
        .progress;
    let item = p.item("slow-checkout");
    assert_eq!(
        (item.attempts, item.best_score, item.hints_used),
        (1, None, 1)
    );
    assert_eq!(status_json(home)["state"], "abandoned");
    let again = labtui(home, &["challenge", "hint", "slow-checkout"]);
    assert_eq!(again.status.code(), Some(1));

    // A crash: start again, then leave the session as if labtui died and time passed.
    expect(
        home,
        &["challenge", "start", "slow-checkout", "--no-wait"],
        0,
    );
    wait_for("the fault again", Duration::from_secs(15), || {
        let (state, token) = (state.clone(), token.clone());
        async move { (payments_faults(&state, &token).await.len() == 1).then_some(()) }
    })
    .await;
    let file = challenge::session_file(&Paths::under(home));
    let mut session = challenge::load(&file).unwrap().expect("a session");
    assert_eq!(session.attempt, 2);
    session.started_at -= chrono::Duration::minutes(30);
    session.deadline = session.started_at + chrono::Duration::minutes(20);
    challenge::save(&file, &session).unwrap();

    let out = labtui(home, &["challenge", "status", "slow-checkout"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("challenge slow-checkout timed out"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains("timed out"),
        "{}",
        text(&out.stdout)
    );
    wait_until_payments_is_clean(&state, &token).await;
    assert!(ledger::load(&lab.dirs).unwrap().is_empty());
    let status = status_json(home);
    assert_eq!(status["state"], "timed_out");
    assert_eq!(status["faults"], serde_json::json!([]));
    let item = progress::load(&home.join("progress.json"))
        .unwrap()
        .progress
        .item("slow-checkout");
    assert_eq!(item.attempts, 2);

    lab.rt.down(&state).await.unwrap();
}

#[test]
fn without_a_lab_start_says_to_run_up_and_other_mistakes_say_what_to_do() {
    let home = tempfile::tempdir().unwrap();
    let out = labtui(home.path(), &["challenge", "start", "slow-checkout"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("labtui up"),
        "{}",
        text(&out.stderr)
    );

    let out = labtui(home.path(), &["challenge", "status", "no-such-challenge"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("slow-checkout"),
        "{}",
        text(&out.stderr)
    );

    let out = labtui(home.path(), &["challenge", "hint", "slow-checkout"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("labtui challenge start slow-checkout"),
        "{}",
        text(&out.stderr)
    );
}
