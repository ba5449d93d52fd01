//! Every listener of a native lab is on loopback, and nothing of it outlives `labtui down`: no process carrying the lab's marker
//! (by pid file, state or environment), no listening socket on the lab's ports. Also after
//! a `labtui up` killed with SIGKILL halfway through starting: the next `down` finds and
//! stops what it had started. Real binaries, free ports, own LABTUI_HOME; every process
//! left is killed on drop, even when an assertion fails.

#[path = "support/tools.rs"]
mod tools;

use std::collections::BTreeSet;
use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use labtui::lab::paths::Paths;
use labtui::lab::stack::{LabDirs, PidFile, proc};
use tools::{free_port_base, lab_port_offsets, stack_home};

struct Lab {
    _dir: tempfile::TempDir,
    home: PathBuf,
    bin: PathBuf,
    base: u16,
}

impl Lab {
    fn new() -> Option<Self> {
        let (dir, bin, home) = stack_home()?;
        Some(Self {
            _dir: dir,
            home,
            bin,
            base: free_port_base(300, 20),
        })
    }

    fn root(&self) -> PathBuf {
        LabDirs::new(&Paths::under(&self.home)).root
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_labtui"));
        cmd.args(args)
            .env("LABTUI_HOME", &self.home)
            .env("PATH", &self.bin)
            .env("NO_COLOR", "1");
        for component in ["PROMETHEUS", "ALERTMANAGER", "LOKI", "TEMPO"] {
            cmd.env_remove(format!("LABTUI_{component}_URL"));
        }
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run labtui")
    }

    fn up_args(&self) -> Vec<String> {
        ["up", "--runtime", "native", "--port-base"]
            .iter()
            .map(|s| s.to_string())
            .chain([self.base.to_string()])
            .collect()
    }

    /// The lab's processes: marked with its root, or named by a pid file.
    fn processes(&self) -> BTreeSet<u32> {
        let dirs = LabDirs::new(&Paths::under(&self.home));
        proc::marked_with(&self.root())
            .into_iter()
            .map(|(pid, _)| pid)
            .chain(
                PidFile::read_all(&dirs)
                    .into_iter()
                    .filter(|p| !proc::is_gone(p.pid, p.start_ticks))
                    .map(|p| p.pid),
            )
            .collect()
    }

    fn ports(&self) -> BTreeSet<u16> {
        lab_port_offsets().iter().map(|o| self.base + o).collect()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for pid in self.processes() {
            let _ = proc::signal_group(pid, libc::SIGKILL);
        }
    }
}

/// Listening TCP sockets on this machine (IPv4 and IPv6): the local address as the kernel
/// writes it (hex, `0100007F` is 127.0.0.1), the port and the socket's inode.
fn listeners() -> Vec<(String, u16, u64)> {
    ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .flat_map(|table| {
            table
                .lines()
                .skip(1)
                .filter_map(|line| {
                    let cols: Vec<&str> = line.split_whitespace().collect();
                    let (local, state) = (cols.get(1)?, cols.get(3)?);
                    if *state != "0A" {
                        return None;
                    }
                    let (addr, port) = local.rsplit_once(':')?;
                    Some((
                        addr.to_string(),
                        u16::from_str_radix(port, 16).ok()?,
                        cols.get(9)?.parse().ok()?,
                    ))
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Ports with a listening TCP socket.
fn listening() -> BTreeSet<u16> {
    listeners().into_iter().map(|(_, port, _)| port).collect()
}

/// The socket inodes the processes `pids` hold open.
fn sockets_of(pids: &BTreeSet<u32>) -> BTreeSet<u64> {
    pids.iter()
        .filter_map(|pid| std::fs::read_dir(format!("/proc/{pid}/fd")).ok())
        .flat_map(|fds| fds.flatten())
        .filter_map(|fd| {
            let target = std::fs::read_link(fd.path()).ok()?;
            let target = target.to_str()?;
            target
                .strip_prefix("socket:[")?
                .strip_suffix(']')?
                .parse()
                .ok()
        })
        .collect()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Polls until `what` holds or `within` passes; false when it never did.
fn eventually(within: Duration, mut what: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + within;
    loop {
        if what() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn assert_nothing_left(lab: &Lab) {
    let left = lab.processes();
    assert!(left.is_empty(), "processes left: {left:?}");
    let open: Vec<u16> = lab.ports().intersection(&listening()).copied().collect();
    assert!(
        open.is_empty(),
        "still listening on the lab's ports: {open:?}"
    );
}

#[test]
fn down_leaves_no_process_and_no_listener_and_a_second_down_is_calm() {
    let Some(lab) = Lab::new() else { return };
    let args = lab.up_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let up = lab.run(&args);
    assert!(up.status.success(), "{}", text(&up));
    let running = lab.processes();
    // Prometheus, Alertmanager and the shop's five services and traffic generator.
    assert!(running.len() >= 8, "{running:?}\n{}", text(&up));
    assert!(
        !lab.ports().is_disjoint(&listening()),
        "the lab listens on none of its ports"
    );
    // Every socket the lab's processes listen on (its ports, and any other such as a
    // cluster port) is on loopback only: 127.0.0.1, or ::1 in IPv6.
    let ours = sockets_of(&running);
    let theirs: Vec<(String, u16, u64)> = listeners()
        .into_iter()
        .filter(|(_, _, inode)| ours.contains(inode))
        .collect();
    assert!(theirs.len() >= 8, "the lab's listeners: {theirs:?}");
    let exposed: Vec<&(String, u16, u64)> = theirs
        .iter()
        .filter(|(addr, _, _)| addr != "0100007F" && addr != "00000000000000000000000001000000")
        .collect();
    assert!(exposed.is_empty(), "listening beyond loopback: {exposed:?}");
    // Every process the lab started carries its marker.
    let marked: BTreeSet<u32> = proc::marked_with(&lab.root())
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert_eq!(marked, running);

    let down = lab.run(&["down"]);
    assert!(down.status.success(), "{}", text(&down));
    assert_nothing_left(&lab);

    let again = lab.run(&["down"]);
    assert!(again.status.success(), "{}", text(&again));
    assert_nothing_left(&lab);
}

#[test]
fn a_killed_up_is_cleaned_up_by_the_next_down() {
    let Some(lab) = Lab::new() else { return };
    let args = lab.up_args();
    let mut up: Child = lab
        .command(&args.iter().map(String::as_str).collect::<Vec<_>>())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn labtui up");
    // Halfway: some components started, the rest not yet.
    let started = eventually(Duration::from_secs(60), || !lab.processes().is_empty());
    up.kill().expect("SIGKILL labtui up");
    up.wait().expect("reap labtui up");
    assert!(started, "labtui up started nothing within 60 s");
    // A component started in the instant before the kill, whose pid file was never
    // written: only its environment says whose it is.
    std::fs::create_dir_all(lab.root()).expect("lab root");
    let mut orphan = Command::new("sleep")
        .arg("600")
        .env(proc::LAB_MARKER_ENV, proc::lab_marker(&lab.root()))
        .process_group(0)
        .spawn()
        .expect("spawn sleep");
    let orphan_pid = orphan.id();
    // Polled: the new process shows its own environment in /proc once its exec is done.
    let seen = eventually(Duration::from_secs(10), || {
        lab.processes().contains(&orphan_pid)
    });
    assert!(seen, "the marked process was never seen as the lab's");

    let down = lab.run(&["down"]);
    assert!(down.status.success(), "{}", text(&down));
    // A component stopping closes its socket as it exits; allow it the time to.
    let clean = eventually(Duration::from_secs(10), || {
        lab.processes().is_empty() && lab.ports().is_disjoint(&listening())
    });
    assert!(clean, "after down: {}", text(&down));
    assert_nothing_left(&lab);
    let status = orphan.wait().expect("reap sleep");
    assert!(
        !status.success(),
        "the unrecorded process was stopped: {status:?}"
    );
    // The next up starts a whole lab again.
    let up = lab.run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(up.status.success(), "{}", text(&up));
    assert!(lab.run(&["down"]).status.success());
    assert_nothing_left(&lab);
}
