//! Measures the native lab with the real binaries: cold start to all-ready (5 runs),
//! `labtui status` latency (20 runs) and the resident memory of the whole lab.
//!
//! Build the binary first, then run this: `cargo build --release && cargo run --release
//! --example bench_stack`. It uses the `labtui` next to this example (or `LABTUI_BIN`), a
//! temporary LABTUI_HOME per run, and a free port range; it stops every lab it starts.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use labtui::lab::paths::Paths;
use labtui::lab::stack::{LabDirs, PidFile, StackSpec, ports, proc};

const START_RUNS: usize = 5;
const STATUS_RUNS: usize = 20;
/// How long the lab runs before memory is read again (a few scrapes and rule evaluations).
const SETTLE: Duration = Duration::from_secs(15);

type Res<T> = Result<T, Box<dyn Error>>;

fn main() -> Res<()> {
    let bin = labtui_binary()?;
    let base = free_port_base()?;
    let scratch = std::env::temp_dir().join(format!("labtui-bench-{}", std::process::id()));
    println!("binary: {}", bin.display());
    println!(
        "ports: --port-base {base}; homes under {}",
        scratch.display()
    );

    let mut starts = Vec::new();
    let mut last_home = PathBuf::new();
    for run in 0..START_RUNS {
        let home = scratch.join(format!("run-{run}"));
        let began = Instant::now();
        let up = labtui(
            &bin,
            &home,
            &[
                "up",
                "--runtime",
                "native",
                "--port-base",
                &base.to_string(),
            ],
        )?;
        let took = began.elapsed();
        if !up.status.success() {
            stop(&bin, &home);
            return Err(format!(
                "`labtui up` failed:\n{}",
                String::from_utf8_lossy(&up.stdout)
            )
            .into());
        }
        starts.push(took);
        if run + 1 < START_RUNS {
            stop(&bin, &home);
        }
        last_home = home;
    }

    let guard = Stop {
        bin: bin.clone(),
        home: last_home.clone(),
    };
    let dirs = LabDirs::new(&Paths::under(&last_home));
    let running: Vec<String> = PidFile::read_all(&dirs)
        .into_iter()
        .map(|p| p.component)
        .collect();
    let rss_start = lab_rss(&dirs);
    let mut status = Vec::new();
    for _ in 0..STATUS_RUNS {
        let began = Instant::now();
        let out = labtui(&bin, &last_home, &["status"])?;
        status.push(began.elapsed());
        if !out.status.success() {
            return Err("`labtui status` failed".into());
        }
    }
    std::thread::sleep(SETTLE);
    let rss_settled = lab_rss(&dirs);
    drop(guard);
    let _ = std::fs::remove_dir_all(&scratch);

    starts.sort();
    status.sort();
    println!();
    println!("native lab, core profile; running: {}", running.join(", "));
    println!(
        "{:<34} {:>4} {:>9} {:>9} {:>9}",
        "measure", "runs", "min", "median", "max/p95"
    );
    println!(
        "{:<34} {:>4} {:>9} {:>9} {:>9}",
        "cold start to all ready (max)",
        starts.len(),
        ms(starts[0]),
        ms(starts[starts.len() / 2]),
        ms(starts[starts.len() - 1])
    );
    println!(
        "{:<34} {:>4} {:>9} {:>9} {:>9}",
        "`labtui status` latency (p95)",
        status.len(),
        ms(status[0]),
        ms(status[status.len() / 2]),
        ms(status[(status.len() * 95).div_ceil(100) - 1])
    );
    println!(
        "{:<34} {:>4} {:>9}",
        "lab RSS just after up (sum VmRSS)",
        1,
        mib(rss_start)
    );
    println!(
        "{:<34} {:>4} {:>9}",
        format!("lab RSS after {}s (sum VmRSS)", SETTLE.as_secs()),
        1,
        mib(rss_settled)
    );
    Ok(())
}

/// Stops the lab in `home` when dropped, so an early error leaves nothing running.
struct Stop {
    bin: PathBuf,
    home: PathBuf,
}

impl Drop for Stop {
    fn drop(&mut self) {
        stop(&self.bin, &self.home);
    }
}

fn stop(bin: &Path, home: &Path) {
    let _ = labtui(bin, home, &["down"]);
}

fn labtui(bin: &Path, home: &Path, args: &[&str]) -> Res<Output> {
    Ok(Command::new(bin)
        .args(args)
        .env("LABTUI_HOME", home)
        .output()?)
}

/// The release binary beside this example (target/release/labtui), or `LABTUI_BIN`.
fn labtui_binary() -> Res<PathBuf> {
    if let Some(bin) = std::env::var_os("LABTUI_BIN") {
        return Ok(PathBuf::from(bin));
    }
    let exe = std::env::current_exe()?;
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|dir| dir.join("labtui"))
        .filter(|p| p.is_file())
        .ok_or("no labtui binary next to this example: run `cargo build --release` first (or set LABTUI_BIN)")?;
    Ok(bin)
}

/// A --port-base whose every offset is free, outside the OS's ephemeral range.
fn free_port_base() -> Res<u16> {
    let spec = StackSpec::builtin()?;
    let offsets: Vec<u16> = spec
        .lab_ports
        .iter()
        .chain(spec.all().iter().flat_map(|c| c.ports.iter()))
        .map(|p| p.offset)
        .collect();
    (200..300)
        .map(|n| n * 100)
        .find(|base| offsets.iter().all(|o| ports::is_free(base + o)))
        .ok_or_else(|| "no free port range between 20000 and 29999".into())
}

/// Resident memory of every running component of the lab (sum of VmRSS).
fn lab_rss(dirs: &LabDirs) -> u64 {
    PidFile::read_all(dirs)
        .iter()
        .filter(|p| proc::is_ours(p.pid, &p.binary, p.start_ticks))
        .filter_map(|p| proc::rss_bytes(p.pid))
        .sum()
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn mib(bytes: u64) -> String {
    format!("{} MiB", bytes / (1024 * 1024))
}
