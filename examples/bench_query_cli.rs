//! The wall time of `labtui query promql up` against `curl -s` of the same API request
//! (target: labtui's median at most 1.1 × curl's), in paired runs that alternate which
//! goes first. Once with the URL given by `--prometheus-url`, once found through the
//! running lab's state file, as a learner usually runs it.
//!
//! Needs `prometheus` and `curl` on PATH and a release build of labtui beside this
//! example: `cargo build --release && cargo run --release --example bench_query_cli
//! [RUNS]`. Prometheus runs in a temporary directory on a free port and is stopped at the
//! end; `--prometheus-url URL` measures against one that already runs instead.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use labtui::lab::paths::Paths;
use labtui::lab::stack::{ComponentRecord, LabDirs, LabState, Profile, RuntimeKind, ports};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// A Prometheus this bench started; killed on drop.
struct Started(Child);

impl Drop for Started {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn start_prometheus(dir: &Path) -> Res<(Started, String)> {
    let binary = which("prometheus").ok_or("prometheus is not on PATH")?;
    let port = ports::free_ports(1)?[0];
    let config = dir.join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: prometheus\n    \
             static_configs:\n      - targets: [\"127.0.0.1:{port}\"]\n"
        ),
    )?;
    let child = Command::new(binary)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    Ok((Started(child), format!("http://127.0.0.1:{port}")))
}

/// Wall time of one run; its output goes nowhere, its exit code must be 0.
fn timed(cmd: &mut Command) -> Res<Duration> {
    let started = Instant::now();
    let status = cmd.stdout(Stdio::null()).stderr(Stdio::null()).status()?;
    let elapsed = started.elapsed();
    if !status.success() {
        return Err(format!("{cmd:?} failed: {status}").into());
    }
    Ok(elapsed)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runs: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(40);
    let given = args
        .iter()
        .position(|a| a == "--prometheus-url")
        .and_then(|i| args.get(i + 1).cloned());
    let exe = std::env::current_exe()?;
    let labtui = exe
        .parent()
        .and_then(|p| p.parent())
        .map(|p| p.join("labtui"))
        .filter(|p| p.is_file())
        .ok_or("build the labtui binary first: cargo build --release")?;
    let curl = which("curl").ok_or("curl is not on PATH")?;
    let home = tempfile::tempdir()?;
    let (_prometheus, url) = match given {
        Some(url) => (None, url),
        None => {
            let (p, url) = start_prometheus(home.path())?;
            (Some(p), url)
        }
    };
    let api = format!("{url}/api/v1/query?query=up");
    // Wait until `up` has a sample, so both tools fetch the same non-empty answer.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let out = Command::new(&curl).args(["-s", &api]).output()?;
        if String::from_utf8_lossy(&out.stdout).contains("\"value\"") {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!("no sample of up from {url} within 30 s").into());
        }
        std::thread::sleep(Duration::from_millis(200));
    }

    // A home whose running lab names this Prometheus, for the second case.
    let lab_home = home.path().join("lab-home");
    let mut state = LabState::empty(RuntimeKind::Native, Profile::Core);
    state.components.push(ComponentRecord::reached_at(
        "prometheus",
        &url,
        &format!("{url}/-/ready"),
    ));
    state.save(&LabDirs::new(&Paths::under(&lab_home)))?;
    let flag_home = home.path().join("flag-home");
    std::fs::create_dir_all(&flag_home)?;

    let curl_cmd = || {
        let mut c = Command::new(&curl);
        c.args(["-s", &api]);
        c
    };
    let labtui_cmd = |with_flag: bool| {
        let mut c = Command::new(&labtui);
        c.args(["query", "promql", "up"]);
        if with_flag {
            c.args(["--prometheus-url", &url])
                .env("LABTUI_HOME", &flag_home);
        } else {
            c.env("LABTUI_HOME", &lab_home);
        }
        c.env_remove("LABTUI_PROMETHEUS_URL");
        c
    };
    for _ in 0..5 {
        timed(&mut curl_cmd())?;
        timed(&mut labtui_cmd(true))?;
        timed(&mut labtui_cmd(false))?;
    }
    println!("{runs} paired runs against {url} (GET /api/v1/query?query=up)");
    println!(
        "{:<34} {:>10} {:>10} {:>7}",
        "", "labtui ms", "curl ms", "ratio"
    );
    let mut worst: f64 = 0.0;
    for (name, with_flag) in [
        ("labtui --prometheus-url URL", true),
        ("labtui, URL from the running lab", false),
    ] {
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for i in 0..runs {
            if i % 2 == 0 {
                ours.push(timed(&mut labtui_cmd(with_flag))?);
                theirs.push(timed(&mut curl_cmd())?);
            } else {
                theirs.push(timed(&mut curl_cmd())?);
                ours.push(timed(&mut labtui_cmd(with_flag))?);
            }
        }
        let (a, b) = (median(ours), median(theirs));
        let ratio = a.as_secs_f64() / b.as_secs_f64();
        worst = worst.max(ratio);
        println!("{name:<34} {:>10.2} {:>10.2} {:>7.2}", ms(a), ms(b), ratio);
    }
    println!(
        "target: ratio <= 1.10: {}",
        if worst <= 1.10 { "met" } else { "NOT met" }
    );
    Ok(())
}
