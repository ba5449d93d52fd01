//! `labtui challenge ...` as a learner runs it, against a real native lab with the shop on
//! free ports and its own LABTUI_HOME (processes killed on drop, even when a test fails):
//! start injects the challenge's fault through the admin API, status, answer, hint,
//! abandon, a session left past its deadline (a killed labtui) ended on the next command
//! with its fault cleared, and an attempt answered and submitted, graded against the lab's
//! own Prometheus.

mod shop_support;
#[path = "support/tools.rs"]
mod tools;

use std::path::Path;
use std::time::Duration;

use labtui::lab::challenge;
use labtui::lab::faults::ledger;
use labtui::lab::paths::Paths;
use labtui::lab::progress;
use labtui::lab::shop::token;
use labtui::lab::stack::Runtime;
use shop_support::challenge::{labtui, payments_faults, text, wait_until_payments_is_clean};
use shop_support::{ShopLab, wait_for};
use tools::installed;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_challenge_from_start_to_abandon_and_after_a_crash() {
    // Prometheus too: the last attempt is graded against it.
    let Some(prometheus) = installed(&["prometheus"]) else {
        return;
    };
    let Some(alertmanager) = installed(&["alertmanager", "prometheus-alertmanager"]) else {
        return;
    };
    let (lab, state) = ShopLab::quiet(&[prometheus, alertmanager]).await;
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
    assert!(out.contains("Hints: 3, costing 2, 3, 5 points"), "{out}");
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
    let margin = challenge::FAULT_TTL_MARGIN_SECS;
    assert!(
        (20 * 60..=20 * 60 + margin).contains(&left),
        "TTL is the limit plus {margin} s (a warm-up's credit and a late submit): {left}"
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
    assert!(out.contains("Hint 1 of 3 (costs 2 points"), "{out}");
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

    // A third attempt, solved and submitted: graded by the lab's own Prometheus.
    expect(home, &["traffic", "set", "20"], 0);
    expect(
        home,
        &["challenge", "start", "slow-checkout", "--no-wait"],
        0,
    );
    let reference = r#"histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{service="payments", method="POST", route="/charge"}[5m])))"#;
    // The reference needs a few checkouts in its window before it has a value.
    wait_for(
        "a p95 of payments' /charge",
        Duration::from_secs(90),
        || {
            let home = home.to_path_buf();
            async move {
                let out = labtui(&home, &["query", "promql", reference, "--json"]);
                let data: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
                let value = data["result"][0]["value"][1]
                    .as_str()?
                    .parse::<f64>()
                    .ok()?;
                value.is_finite().then_some(())
            }
        },
    )
    .await;
    for (question, answer) in [
        ("root-cause-service", "Payments"),
        ("fault-kind", "latency"),
        // An equivalent rewrite of the reference, grouping written after the aggregation.
        (
            "charge-p95-query",
            r#"histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket{service="payments", method="POST", route="/charge"}[5m])) by (le))"#,
        ),
        ("charge-p95", "0.5"),
    ] {
        expect(
            home,
            &["challenge", "answer", "slow-checkout", question, answer],
            0,
        );
    }
    let out = expect(
        home,
        &[
            "challenge",
            "submit",
            "slow-checkout",
            "--json",
            "--no-solution",
        ],
        0,
    );
    let doc: serde_json::Value = serde_json::from_str(&out).expect("submit --json is JSON");
    let result = |id: &str| {
        doc["results"]
            .as_array()
            .and_then(|r| r.iter().find(|q| q["id"] == id))
            .cloned()
            .unwrap_or_else(|| panic!("no result for {id}: {doc}"))
    };
    for id in ["root-cause-service", "fault-kind", "charge-p95-query"] {
        assert_eq!(result(id)["correct"], true, "{id}: {}", result(id));
    }
    // The number was not read from the lab, so it is graded against the live value either
    // way; what matters is that it was graded, with its points at stake.
    assert_eq!(
        result("charge-p95")["max"],
        15.0,
        "{}",
        result("charge-p95")
    );
    let total = doc["score"]["total"].as_f64().expect("a total");
    assert!(total >= 35.0, "{doc}");
    wait_until_payments_is_clean(&state, &token).await;
    assert_eq!(status_json(home)["state"], "submitted");
    let item = progress::load(&home.join("progress.json"))
        .unwrap()
        .progress
        .item("slow-checkout");
    assert_eq!(item.attempts, 3);
    assert_eq!(item.best_score, Some(total));

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
