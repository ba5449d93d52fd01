//! The shop beside an attached stack: a Prometheus the test runs itself (as a team would
//! run theirs, configured with the scrape job `labtui doctor` prints) and labtui attached
//! to it. `up` starts the shop's processes on this machine; that Prometheus scrapes them
//! from the targets file; status, control and logs act on them; `down` stops them and
//! leaves the attached Prometheus running.

mod shop_support;
#[path = "support/tools.rs"]
mod tools;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use labtui::lab::config::StackUrls;
use labtui::lab::paths::Paths;
use labtui::lab::shop::Service;
use labtui::lab::stack::{
    AttachRuntime, CheckStatus, ComponentState, ControlAction, LabDirs, LabState, Outcome, Plan,
    PlanOptions, Profile, Runtime, RuntimeKind, StackSpec, ports, proc,
};
use shop_support::{client, query, shop_launch, wait_for};
use tokio::sync::mpsc;
use tools::installed;

/// The attached Prometheus; killed on drop, with every shop process the lab recorded.
struct Attached {
    prometheus: Child,
    dirs: LabDirs,
    _dir: tempfile::TempDir,
}

impl Drop for Attached {
    fn drop(&mut self) {
        let _ = self.prometheus.kill();
        let _ = self.prometheus.wait();
        for pf in labtui::lab::stack::PidFile::read_all(&self.dirs) {
            if proc::is_ours(pf.pid, &pf.binary, pf.start_ticks) {
                let _ = proc::signal_group(pf.pid, libc::SIGKILL);
            }
        }
    }
}

fn free_port() -> u16 {
    (20000..60000)
        .map(|p| p + (std::process::id() % 7919) as u16)
        .find(|p| ports::is_free(*p))
        .expect("a free port")
}

/// The value of a one-series instant query (`count(...)`).
async fn count(http: &reqwest::Client, prometheus: &str, expr: &str) -> Option<usize> {
    let series = query(http, prometheus, expr).await;
    series.first()?["value"][1].as_str()?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shop_runs_beside_an_attached_prometheus_and_down_stops_only_the_shop() {
    let Some(binary) = installed(&["prometheus"]) else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let dirs = LabDirs::new(&Paths::under(&dir.path().join("home")));
    let targets = dirs.shop_targets_file();
    let port = free_port();
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: shop\n    \
             honor_labels: true\n    file_sd_configs:\n      - files: [\"{}\"]\n        \
             refresh_interval: 1s\n",
            targets.display()
        ),
    )
    .expect("config");
    let prometheus = Command::new(binary)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.path().join("tsdb").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start prometheus");
    let attached = Attached {
        prometheus,
        dirs: dirs.clone(),
        _dir: dir,
    };
    let prom = format!("http://127.0.0.1:{port}");
    let http = client();
    wait_for("the attached prometheus", Duration::from_secs(30), || {
        let (http, url) = (http.clone(), format!("{prom}/-/ready"));
        async move {
            http.get(url)
                .send()
                .await
                .ok()?
                .status()
                .is_success()
                .then_some(())
        }
    })
    .await;

    let urls = StackUrls {
        prometheus: Some(prom.clone()),
        ..StackUrls::default()
    };
    let rt = AttachRuntime::new(dirs.clone(), urls).with_shop(Some(shop_launch()));
    let spec = StackSpec::builtin().expect("spec");
    let plan = Plan::new(&spec, &PlanOptions::new(Profile::Core, RuntimeKind::Attach))
        .expect("plan")
        .with_free_ports()
        .expect("free ports");
    let (tx, _rx) = mpsc::channel(256);
    let report = rt.up(&plan, tx).await.expect("up");
    for service in Service::ALL {
        let name = service.component();
        let outcome = report.outcomes.iter().find(|(n, _)| *n == name);
        assert!(
            matches!(outcome, Some((_, Outcome::Ready { .. }))),
            "{name}: {outcome:?}"
        );
    }
    let state = LabState::load(&dirs).unwrap().expect("state");
    assert_eq!(state.runtime, RuntimeKind::Attach);

    // The attached Prometheus scrapes all six from the file labtui wrote, and doctor says so.
    let six = "count(up{job=~\"storefront|orders|payments|inventory|fulfillment|traffic\"} == 1)";
    wait_for("six shop targets up", Duration::from_secs(60), || {
        let (http, prom) = (http.clone(), prom.clone());
        async move { (count(&http, &prom, six).await == Some(6)).then_some(()) }
    })
    .await;
    let checks = rt.doctor(&plan, Some(&state)).await;
    let scraped = checks
        .iter()
        .find(|c| c.name == "prometheus scrapes the shop")
        .expect("a scrape check");
    assert_eq!(scraped.status, CheckStatus::Ok, "{scraped:?}");

    // Status and control reach the shop's processes; the stack stays someone else's.
    let rows = rt.status(&state).await;
    let payments = rows.iter().find(|r| r.name == "shop-payments").unwrap();
    assert_eq!(payments.state, ComponentState::Ready, "{payments:?}");
    let state = rt
        .control(&state, "shop-payments", ControlAction::Kill)
        .await
        .expect("kill");
    let rows = rt.status(&state).await;
    let payments = rows.iter().find(|r| r.name == "shop-payments").unwrap();
    assert_eq!(payments.state, ComponentState::Down, "{payments:?}");
    let state = rt
        .control(&state, "shop-payments", ControlAction::Start)
        .await
        .expect("start");
    let rows = rt.status(&state).await;
    let payments = rows.iter().find(|r| r.name == "shop-payments").unwrap();
    assert_eq!(payments.state, ComponentState::Ready, "{payments:?}");
    let err = rt
        .control(&state, "prometheus", ControlAction::Stop)
        .await
        .expect_err("the attached Prometheus is not labtui's");
    assert!(err.to_string().contains("prometheus"), "{err}");
    let logs = rt.logs(&state, "shop-orders", 20).await.expect("logs");
    assert!(!logs.is_empty());

    // A second up keeps the running shop.
    let (tx, _rx) = mpsc::channel(256);
    let again = rt.up(&plan, tx).await.expect("second up");
    let kept = again
        .outcomes
        .iter()
        .filter(|(_, o)| *o == Outcome::AlreadyRunning)
        .count();
    assert_eq!(kept, Service::ALL.len(), "{:?}", again.outcomes);

    // Down stops the shop and forgets the lab; the attached Prometheus still answers.
    let state = LabState::load(&dirs).unwrap().expect("state");
    let pids: Vec<u32> = state.components.iter().filter_map(|r| r.pid).collect();
    assert_eq!(pids.len(), Service::ALL.len());
    rt.down(&state).await.expect("down");
    let deadline = Instant::now() + Duration::from_secs(10);
    while pids
        .iter()
        .any(|p| proc::info(*p).is_some_and(|i| !matches!(i.state, 'Z' | 'X')))
    {
        assert!(Instant::now() < deadline, "shop processes outlived down");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(LabState::load(&dirs).unwrap().is_none());
    let ready = http
        .get(format!("{prom}/-/ready"))
        .send()
        .await
        .expect("prometheus");
    assert!(ready.status().is_success());
    drop(attached);
}
