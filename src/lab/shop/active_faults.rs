//! The fault layer of a running shop service: [`ActiveFaults`] implements [`FaultHooks`]
//! from a snapshot of the injected faults (a read lock and an `Arc` clone per decision),
//! runs the background faults (memory leak, CPU burn, log flood, database lock) as tasks
//! or threads, and expires every fault at its deadline on its own.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use serde_json::{Map, json};

use super::faults::{FaultAction, FaultHooks, RequestFacts};
use super::rng::Rng;
use super::telemetry::{Level, Telemetry};
use super::{Service, db};
use crate::lab::faults::{Injection, ParamValue};

/// What one injected fault does on the request path.
#[derive(Debug, Clone, PartialEq)]
enum Effect {
    Delay {
        ms: u64,
        probability: f64,
        route: String,
    },
    Fail {
        rate: f64,
        status: u16,
        route: String,
    },
    DbSlow {
        operation: String,
        ms: u64,
    },
    Pool {
        wait_ms: u64,
    },
    DependencyDown {
        callee: String,
    },
    Stall {
        rate: f64,
    },
    JobStall {
        stage: String,
    },
    JobPartial {
        share: f64,
    },
    Cardinality,
    Broken,
    Slice {
        country: String,
        product: u64,
        status: u16,
    },
    BadRelease {
        rate: f64,
    },
    /// A background task does the work; nothing on the request path.
    Background,
}

#[derive(Debug, Clone)]
struct Live {
    injection: Injection,
    deadline: Instant,
    effect: Effect,
}

/// How a background fault is stopped.
enum Task {
    Abort(tokio::task::AbortHandle),
    Flag(Arc<AtomicBool>),
}

impl Task {
    fn stop(self) {
        match self {
            Self::Abort(h) => h.abort(),
            Self::Flag(f) => f.store(true, Ordering::Relaxed),
        }
    }
}

/// The faults injected into this process.
pub struct ActiveFaults {
    service: Service,
    data_dir: PathBuf,
    telemetry: Telemetry,
    live: RwLock<Arc<Vec<Live>>>,
    tasks: Mutex<BTreeMap<String, Task>>,
    rng: Rng,
}

fn num(params: &BTreeMap<String, ParamValue>, key: &str, default: f64) -> f64 {
    params.get(key).map_or(default, ParamValue::number)
}

fn text(params: &BTreeMap<String, ParamValue>, key: &str) -> String {
    params.get(key).map(ParamValue::text).unwrap_or_default()
}

fn route_matches(route: &str, facts: &RequestFacts) -> bool {
    route.is_empty() || route == facts.route
}

impl ActiveFaults {
    pub fn new(service: Service, data_dir: PathBuf, telemetry: Telemetry) -> Arc<Self> {
        Arc::new(Self {
            service,
            data_dir,
            telemetry,
            live: RwLock::new(Arc::new(Vec::new())),
            tasks: Mutex::new(BTreeMap::new()),
            rng: Rng::from_entropy(),
        })
    }

    /// labtui's data dir, where the service keeps its databases and crash-loop state.
    pub fn data_dir(&self) -> &std::path::Path {
        &self.data_dir
    }

    pub fn service(&self) -> Service {
        self.service
    }

    fn snapshot(&self) -> Arc<Vec<Live>> {
        Arc::clone(&self.live.read().unwrap_or_else(|p| p.into_inner()))
    }

    fn tasks(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Task>> {
        self.tasks.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The faults in force now (expired ones are left out).
    pub fn list(&self) -> Vec<Injection> {
        let now = Instant::now();
        self.snapshot()
            .iter()
            .filter(|l| l.deadline > now)
            .map(|l| l.injection.clone())
            .collect()
    }

    /// Apply an injection (already checked against the catalogue). The same fault name on
    /// the same target replaces the earlier one.
    pub fn add(self: &Arc<Self>, injection: Injection) {
        let left = (injection.expires_at - chrono::Utc::now())
            .to_std()
            .unwrap_or(Duration::ZERO);
        let p = &injection.params;
        let effect = match injection.name.as_str() {
            "latency" => Effect::Delay {
                ms: num(p, "ms", 0.0) as u64,
                probability: num(p, "probability", 1.0),
                route: text(p, "route"),
            },
            "errors" => Effect::Fail {
                rate: num(p, "rate", 0.5),
                status: num(p, "status", 503.0) as u16,
                route: text(p, "route"),
            },
            "db_slow" => Effect::DbSlow {
                operation: text(p, "operation"),
                ms: num(p, "ms", 0.0) as u64,
            },
            "pool_exhaustion" => Effect::Pool {
                wait_ms: num(p, "wait_ms", 2000.0) as u64,
            },
            "dependency_down" => Effect::DependencyDown {
                callee: injection
                    .target
                    .split_once("->")
                    .map(|(_, c)| c.to_string())
                    .unwrap_or_default(),
            },
            "queue_stall" => Effect::Stall {
                rate: num(p, "rate", 1.0),
            },
            "job_stall" => Effect::JobStall {
                stage: text(p, "stage"),
            },
            "job_partial" => Effect::JobPartial {
                share: num(p, "share", 0.5),
            },
            "cardinality_explosion" => Effect::Cardinality,
            "broken_propagation" => Effect::Broken,
            "slice_failure" => Effect::Slice {
                country: text(p, "country"),
                product: num(p, "product", 0.0) as u64,
                status: num(p, "status", 500.0) as u16,
            },
            "bad_release" => {
                self.telemetry.metrics.set_version(&text(p, "version"));
                Effect::BadRelease {
                    rate: num(p, "rate", 0.3),
                }
            }
            _ => Effect::Background,
        };
        // Replace an earlier injection of the same fault.
        let earlier: Vec<String> = self
            .snapshot()
            .iter()
            .filter(|l| l.injection.name == injection.name)
            .map(|l| l.injection.id.clone())
            .collect();
        for id in earlier {
            self.remove(&id);
        }
        if effect == Effect::Background
            && let Some(task) = self.start_background(&injection)
        {
            self.tasks().insert(injection.id.clone(), task);
        }
        let mut fields = Map::new();
        fields.insert("fault".into(), json!(injection.name));
        fields.insert("fault_id".into(), json!(injection.id));
        fields.insert("ttl_seconds".into(), json!(left.as_secs()));
        self.telemetry
            .logger
            .log(Level::Info, "fault injected", fields);
        let live = Live {
            deadline: Instant::now() + left,
            injection,
            effect,
        };
        let mut guard = self.live.write().unwrap_or_else(|p| p.into_inner());
        let mut next: Vec<Live> = guard.as_ref().clone();
        next.push(live);
        *guard = Arc::new(next);
    }

    /// Remove faults by id or name (every fault with `None`); returns what was removed.
    pub fn remove_matching(&self, which: Option<&str>) -> Vec<Injection> {
        let ids: Vec<String> = self
            .snapshot()
            .iter()
            .filter(|l| which.is_none_or(|w| l.injection.id == w || l.injection.name == w))
            .map(|l| l.injection.id.clone())
            .collect();
        ids.iter().filter_map(|id| self.remove(id)).collect()
    }

    fn remove(&self, id: &str) -> Option<Injection> {
        let removed = {
            let mut guard = self.live.write().unwrap_or_else(|p| p.into_inner());
            let (gone, kept): (Vec<Live>, Vec<Live>) =
                guard.iter().cloned().partition(|l| l.injection.id == id);
            *guard = Arc::new(kept);
            gone.into_iter().next()
        }?;
        if let Some(task) = self.tasks().remove(id) {
            task.stop();
        }
        match removed.effect {
            Effect::Cardinality => self.telemetry.metrics.clear_sessions(),
            Effect::BadRelease { .. } => self
                .telemetry
                .metrics
                .set_version(env!("CARGO_PKG_VERSION")),
            _ => {}
        }
        let mut fields = Map::new();
        fields.insert("fault".into(), json!(removed.injection.name));
        fields.insert("fault_id".into(), json!(removed.injection.id));
        self.telemetry
            .logger
            .log(Level::Info, "fault cleared", fields);
        Some(removed.injection)
    }

    /// The crash fault: write the last log line and exit at once with status 1 (no
    /// graceful shutdown, queued spans are lost: like a real crash).
    pub fn crash(&self) -> ! {
        self.telemetry
            .logger
            .log(Level::Error, "panic: fault injected: crash", Map::new());
        std::process::exit(1)
    }

    /// The crash fault in a loop: the same last line, then a fresh run of this process
    /// that waits `backoff` before it listens (see `crash_loop`).
    pub fn crash_and_restart(&self, backoff: Duration) -> ! {
        let mut fields = Map::new();
        fields.insert("restart_in_ms".into(), json!(backoff.as_millis() as u64));
        self.telemetry
            .logger
            .log(Level::Error, "panic: fault injected: crash", fields);
        let err = super::crash_loop::reexec(backoff);
        eprintln!("crash loop: could not restart: {err}");
        std::process::exit(1)
    }

    /// This run of a crash loop: serve `up_s` seconds, then crash again, unless the loop
    /// was ended (cleared, expired) meanwhile.
    pub async fn run_crash_loop(self: Arc<Self>, up_s: f64) {
        tokio::time::sleep(Duration::from_secs_f64(up_s)).await;
        let service = self.service();
        if let Some(mut run) = super::crash_loop::CrashLoop::read(&self.data_dir, service) {
            run.crashes += 1;
            let backoff = super::crash_loop::CrashLoop::backoff(run.crashes);
            if run.write(&self.data_dir, service).is_ok() {
                self.crash_and_restart(backoff);
            }
        }
    }

    /// Expire faults at their deadline, forever (spawned once per process).
    pub async fn expire_loop(self: Arc<Self>) {
        loop {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let now = Instant::now();
            let expired: Vec<String> = self
                .snapshot()
                .iter()
                .filter(|l| l.deadline <= now)
                .map(|l| l.injection.id.clone())
                .collect();
            for id in expired {
                self.remove(&id);
            }
        }
    }

    fn start_background(&self, injection: &Injection) -> Option<Task> {
        let p = &injection.params;
        match injection.name.as_str() {
            "memory_leak" => {
                let per_second = num(p, "mb_per_min", 60.0) * 1_048_576.0 / 60.0;
                let cap = (num(p, "cap_mb", 512.0) * 1_048_576.0) as usize;
                Some(Task::Abort(
                    tokio::spawn(leak(per_second, cap)).abort_handle(),
                ))
            }
            "cpu_burn" => {
                let stop = Arc::new(AtomicBool::new(false));
                let duty = num(p, "duty", 0.9).clamp(0.0, 1.0);
                for _ in 0..(num(p, "threads", 1.0) as usize).max(1) {
                    let stop = Arc::clone(&stop);
                    std::thread::spawn(move || burn(&stop, duty));
                }
                Some(Task::Flag(stop))
            }
            "log_flood" => {
                let rate = num(p, "lines_per_second", 500.0);
                let telemetry = self.telemetry.clone();
                Some(Task::Abort(
                    tokio::spawn(flood(telemetry, rate)).abort_handle(),
                ))
            }
            "db_lock" => {
                let file = match self.service {
                    Service::Inventory => "inventory.db",
                    _ => "orders.db",
                };
                let path = db::path(&self.data_dir, file);
                let stop = Arc::new(AtomicBool::new(false));
                let flag = Arc::clone(&stop);
                let telemetry = self.telemetry.clone();
                std::thread::spawn(move || hold_lock(&path, &flag, &telemetry));
                Some(Task::Flag(stop))
            }
            _ => None,
        }
    }
}

/// Allocate (and touch) memory at `per_second` bytes/s up to `cap`, holding it until the
/// task is aborted (which frees it). Chunks of at least 1 MiB are mapped by the allocator
/// on their own, so freeing them gives the memory back to the system.
async fn leak(per_second: f64, cap: usize) {
    const CHUNK: usize = 1 << 20;
    let mut held: Vec<Vec<u8>> = Vec::new();
    let mut owed = 0.0f64;
    let mut total = 0usize;
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        owed += per_second / 10.0;
        while owed >= CHUNK as f64 && total + CHUNK <= cap {
            held.push(vec![0x5a; CHUNK]);
            total += CHUNK;
            owed -= CHUNK as f64;
        }
        if total + CHUNK > cap {
            owed = 0.0;
        }
    }
}

fn burn(stop: &AtomicBool, duty: f64) {
    let period = Duration::from_millis(100);
    let busy = period.mul_f64(duty);
    let mut x = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let start = Instant::now();
        while start.elapsed() < busy {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
        std::thread::sleep(period.saturating_sub(busy));
    }
}

async fn flood(telemetry: Telemetry, per_second: f64) {
    let mut owed = 0.0f64;
    let mut n = 0u64;
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        owed += per_second / 50.0;
        while owed >= 1.0 {
            owed -= 1.0;
            n += 1;
            let mut fields = Map::new();
            fields.insert("attempt".into(), json!(n));
            fields.insert("error".into(), json!("upstream timeout"));
            telemetry
                .logger
                .log(Level::Warn, "retrying upstream call", fields);
        }
    }
}

/// Hold an exclusive transaction on the database until `stop` is set.
fn hold_lock(path: &std::path::Path, stop: &AtomicBool, telemetry: &Telemetry) {
    let locked = rusqlite::Connection::open(path).and_then(|c| {
        c.busy_timeout(Duration::from_secs(10))?;
        c.execute_batch("BEGIN EXCLUSIVE")?;
        Ok(c)
    });
    let conn = match locked {
        Ok(c) => c,
        Err(e) => {
            let mut fields = Map::new();
            fields.insert("error".into(), json!(e.to_string()));
            telemetry
                .logger
                .log(Level::Error, "db_lock fault could not lock", fields);
            return;
        }
    };
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = conn.execute_batch("ROLLBACK");
}

impl FaultHooks for ActiveFaults {
    fn on_request(&self, facts: &RequestFacts) -> FaultAction {
        let live = self.snapshot();
        if live.is_empty() {
            return FaultAction::NONE;
        }
        let now = Instant::now();
        let mut action = FaultAction::NONE;
        for l in live.iter().filter(|l| l.deadline > now) {
            match &l.effect {
                Effect::Delay {
                    ms,
                    probability,
                    route,
                } if route_matches(route, facts) && self.rng.unit() < *probability => {
                    action.delay += Duration::from_millis(*ms);
                }
                Effect::Fail {
                    rate,
                    status,
                    route,
                } if route_matches(route, facts) && self.rng.unit() < *rate => {
                    action.fail = Some(*status);
                }
                Effect::Slice {
                    country,
                    product,
                    status,
                } => {
                    let by_country =
                        !country.is_empty() && facts.country.as_deref() == Some(country.as_str());
                    let by_product = *product > 0
                        && facts.route == "/products/{id}"
                        && facts.path.rsplit('/').next() == Some(product.to_string().as_str());
                    if by_country || by_product {
                        action.fail = Some(*status);
                    }
                }
                Effect::BadRelease { rate } if self.rng.unit() < *rate => {
                    action.fail = Some(500);
                }
                Effect::Cardinality => {
                    let id = format!("s-{:012x}", self.rng.next_u64() & 0xffff_ffff_ffff);
                    self.telemetry.metrics.session_request(&id);
                }
                _ => {}
            }
        }
        action
    }

    fn on_db(&self, operation: &str, _facts: Option<&RequestFacts>) -> FaultAction {
        let now = Instant::now();
        let mut action = FaultAction::NONE;
        for l in self.snapshot().iter().filter(|l| l.deadline > now) {
            match &l.effect {
                Effect::DbSlow { operation: op, ms } if op == operation => {
                    action.delay += Duration::from_millis(*ms);
                }
                Effect::Pool { wait_ms } => {
                    action.delay += Duration::from_millis(*wait_ms);
                    action.fail = Some(503);
                }
                _ => {}
            }
        }
        action
    }

    fn on_call(&self, peer: &str, _facts: &RequestFacts) -> FaultAction {
        let now = Instant::now();
        let down = self.snapshot().iter().any(|l| {
            l.deadline > now
                && matches!(&l.effect, Effect::DependencyDown { callee } if callee == peer)
        });
        if down {
            FaultAction {
                delay: Duration::ZERO,
                fail: Some(503),
            }
        } else {
            FaultAction::NONE
        }
    }

    fn consume_paused(&self) -> bool {
        let now = Instant::now();
        self.snapshot().iter().any(|l| {
            l.deadline > now && matches!(l.effect, Effect::Stall { rate } if self.rng.unit() < rate)
        })
    }

    fn job_stalled(&self, stage: &str) -> bool {
        let now = Instant::now();
        self.snapshot().iter().any(|l| {
            l.deadline > now && matches!(&l.effect, Effect::JobStall { stage: s } if s == stage)
        })
    }

    fn job_failing_share(&self) -> f64 {
        let now = Instant::now();
        self.snapshot()
            .iter()
            .filter(|l| l.deadline > now)
            .filter_map(|l| match l.effect {
                Effect::JobPartial { share } => Some(share),
                _ => None,
            })
            .fold(0.0, f64::max)
    }

    fn propagate_trace(&self) -> bool {
        let now = Instant::now();
        !self
            .snapshot()
            .iter()
            .any(|l| l.deadline > now && l.effect == Effect::Broken)
    }
}
