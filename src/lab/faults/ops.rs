//! Injecting, listing and clearing faults in a running lab, and keeping the ledger true:
//! expired entries are dropped on read, leftovers of a gone labtui on `up`, all on `down`.

use std::path::PathBuf;
use std::time::Duration;

use chrono::Utc;

use super::admin::Admin;
use super::{ActiveFault, FaultError, InjectRequest, Mechanism, catalogue, ledger};
use crate::lab::shop::{COMPONENT_PREFIX, Service, crash_loop, token};
use crate::lab::stack::{ControlAction, LabDirs, LabState, proc, select};

fn data_dir(dirs: &LabDirs) -> PathBuf {
    dirs.root
        .parent()
        .map_or_else(|| dirs.root.clone(), PathBuf::from)
}

fn state(dirs: &LabDirs) -> Result<LabState, FaultError> {
    LabState::load(dirs)
        .map_err(|e| FaultError::Runtime(e.to_string()))?
        .filter(|s| !s.components.is_empty())
        .ok_or(FaultError::NoLab)
}

fn admin(dirs: &LabDirs, state: &LabState, component: &str) -> Result<Admin, FaultError> {
    let base = state
        .url(component)
        .ok_or_else(|| FaultError::NotRunning {
            component: component.to_string(),
        })?
        .to_string();
    Ok(Admin {
        component: component.to_string(),
        base,
        token: token::read(&data_dir(dirs))?,
    })
}

async fn control(
    dirs: &LabDirs,
    state: &LabState,
    component: &str,
    action: ControlAction,
) -> Result<(), FaultError> {
    let rt = select::open_existing(state, dirs.clone())
        .await
        .map_err(|e| FaultError::Runtime(e.to_string()))?;
    rt.control(state, component, action)
        .await
        .map(|_| ())
        .map_err(|e| FaultError::Runtime(format!("{component}: {e}")))
}

fn new_id(name: &str) -> String {
    let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default() as u64;
    format!(
        "{name}-{:06x}",
        (nanos ^ u64::from(std::process::id())) & 0xff_ffff
    )
}

/// Inject a fault into the running lab and record it in the ledger. Parameters and the
/// target are checked against the catalogue first (the error names the parameter and the
/// allowed range). The same fault on the same target replaces the earlier injection.
pub async fn inject(dirs: &LabDirs, req: InjectRequest) -> Result<ActiveFault, FaultError> {
    inject_as(dirs, req, None).await
}

/// [`inject`] on behalf of `owner` (`challenge:slow-checkout`): the ledger records the
/// owner, so [`clear_owned`] finds the fault and `up` leaves it to the owner's reconcile.
pub async fn inject_owned(
    dirs: &LabDirs,
    req: InjectRequest,
    owner: &str,
) -> Result<ActiveFault, FaultError> {
    inject_as(dirs, req, Some(owner.to_string())).await
}

async fn inject_as(
    dirs: &LabDirs,
    req: InjectRequest,
    owner: Option<String>,
) -> Result<ActiveFault, FaultError> {
    let def = catalogue().get(&req.name)?;
    let target = def.resolve_target(req.target.as_deref())?;
    let params = def.resolve_params(&req.params)?;
    let ttl = req
        .ttl
        .unwrap_or(Duration::from_secs(def.ttl_seconds))
        .min(Duration::from_secs(super::catalogue::MAX_TTL_SECONDS));
    let state = state(dirs)?;
    let component = match def.mechanism {
        Mechanism::Runtime => target.clone(),
        _ => format!("{COMPONENT_PREFIX}{}", def.applying_service(&target)),
    };
    if state.component(&component).is_none() {
        return Err(FaultError::NotRunning { component });
    }
    let now = Utc::now();
    let me = std::process::id();
    let fault = ActiveFault {
        id: new_id(&def.name),
        name: def.name.clone(),
        target: target.clone(),
        component: component.clone(),
        mechanism: def.mechanism,
        symptom_query: def.symptom_query_for(&target, &params),
        params,
        injected_at: now,
        expires_at: now + chrono::Duration::from_std(ttl).unwrap_or_default(),
        owner_pid: me,
        owner_start_ticks: proc::info(me).map(|i| i.start_ticks),
        owner,
    };
    let _lock = ledger::Lock::take(dirs)?;
    // Recorded before it is applied: a labtui killed in between leaves an entry the service
    // does not have (the next `active` drops it, a clear is harmless), never a fault that
    // is active with no ledger entry, which nothing could show or clear.
    let before = ledger::load(dirs)?;
    let mut faults = before.clone();
    faults.retain(|f| !(f.name == fault.name && f.target == fault.target));
    faults.push(fault.clone());
    ledger::save(dirs, &faults)?;
    let applied = match def.mechanism {
        Mechanism::Request | Mechanism::Background | Mechanism::Process => {
            match admin(dirs, &state, &component) {
                Ok(admin) => admin.post(&fault.injection()).await,
                Err(e) => Err(e),
            }
        }
        Mechanism::Runtime => {
            let action = match def.name.as_str() {
                "stack_pause" => ControlAction::Pause,
                "stack_kill" => ControlAction::Kill,
                _ => ControlAction::Stop,
            };
            control(dirs, &state, &component, action).await
        }
    };
    if let Err(e) = applied {
        ledger::save(dirs, &before)?;
        return Err(e);
    }
    Ok(fault)
}

/// Undo one fault; an unreachable service has lost its faults anyway.
async fn undo(dirs: &LabDirs, state: &LabState, fault: &ActiveFault) -> Result<(), FaultError> {
    match fault.mechanism {
        Mechanism::Request | Mechanism::Background => {
            match admin(dirs, state, &fault.component)?
                .delete(Some(&fault.id))
                .await
            {
                Err(FaultError::Admin { message, .. }) if message.contains("not answering") => {
                    Ok(())
                }
                other => other,
            }
        }
        Mechanism::Process => {
            // A crash loop ends first, so the service stays up once started.
            if let Ok(service) = fault.target.parse::<Service>() {
                crash_loop::end(&data_dir(dirs), service).map_err(|e| {
                    FaultError::Runtime(format!("ending the crash loop of {service}: {e}"))
                })?;
            }
            control(dirs, state, &fault.component, ControlAction::Start).await
        }
        Mechanism::Runtime => {
            let action = if fault.name == "stack_pause" {
                ControlAction::Resume
            } else {
                ControlAction::Start
            };
            control(dirs, state, &fault.component, action).await
        }
    }
}

/// Clear the fault named `which` (a name or an id; every instance of a name), or all
/// faults with None (then every shop service is also told to drop anything it still has).
/// Returns what was cleared.
pub async fn clear(dirs: &LabDirs, which: Option<&str>) -> Result<Vec<ActiveFault>, FaultError> {
    let _lock = ledger::Lock::take(dirs)?;
    let faults = ledger::load(dirs)?;
    if let Some(name) = which
        && !faults.iter().any(|f| f.name == name || f.id == name)
    {
        catalogue().get(name)?;
    }
    let everything = which.is_none();
    clear_locked(
        dirs,
        faults,
        |f| which.is_none_or(|w| f.name == w || f.id == w),
        everything,
    )
    .await
}

/// Clear every fault recorded for `owner` (a challenge's, when it ends). Returns what was
/// cleared; none is not an error.
pub async fn clear_owned(dirs: &LabDirs, owner: &str) -> Result<Vec<ActiveFault>, FaultError> {
    let _lock = ledger::Lock::take(dirs)?;
    let faults = ledger::load(dirs)?;
    clear_locked(dirs, faults, |f| f.owner.as_deref() == Some(owner), false).await
}

/// Clear the faults with these ids (those no longer recorded are skipped).
pub async fn clear_ids(dirs: &LabDirs, ids: &[String]) -> Result<Vec<ActiveFault>, FaultError> {
    let _lock = ledger::Lock::take(dirs)?;
    let faults = ledger::load(dirs)?;
    clear_locked(dirs, faults, |f| ids.contains(&f.id), false).await
}

/// Undo and forget the faults `pick` selects (the ledger lock is held by the caller); with
/// `everything`, every shop service is also told to drop anything it still has.
async fn clear_locked(
    dirs: &LabDirs,
    faults: Vec<ActiveFault>,
    pick: impl Fn(&ActiveFault) -> bool,
    everything: bool,
) -> Result<Vec<ActiveFault>, FaultError> {
    let (gone, kept): (Vec<_>, Vec<_>) = faults.into_iter().partition(|f| pick(f));
    let Ok(state) = state(dirs) else {
        ledger::save(dirs, &kept)?;
        return Ok(gone);
    };
    let mut first_error = None;
    let mut failed = Vec::new();
    for fault in &gone {
        if let Err(e) = undo(dirs, &state, fault).await {
            failed.push(fault.clone());
            first_error.get_or_insert(e);
        }
    }
    if everything {
        for service in Service::ALL {
            if let Ok(a) = admin(dirs, &state, &service.component()) {
                let _ = a.delete(None).await;
            }
        }
    }
    let mut remaining = kept;
    remaining.extend(failed);
    ledger::save(dirs, &remaining)?;
    match first_error {
        Some(e) => Err(e),
        None => Ok(gone),
    }
}

/// The active faults, after reconciling the ledger: expired entries are dropped (faults
/// the service cannot expire itself, crashes and stack faults, are undone now), and
/// in-service entries the service no longer has (restarted, expired) are dropped.
pub async fn active(dirs: &LabDirs) -> Result<Vec<ActiveFault>, FaultError> {
    let _lock = ledger::Lock::take(dirs)?;
    let faults = ledger::load(dirs)?;
    if faults.is_empty() {
        return Ok(faults);
    }
    let state = state(dirs).ok();
    let now = Utc::now();
    let mut keep = Vec::new();
    let mut lists: std::collections::BTreeMap<String, Option<Vec<String>>> = Default::default();
    for fault in faults {
        if fault.remaining(now).is_zero() {
            if let Some(state) = &state
                && !fault.mechanism.in_service()
                && undo(dirs, state, &fault).await.is_err()
            {
                keep.push(fault);
            }
            continue;
        }
        if fault.mechanism.in_service()
            && let Some(state) = &state
        {
            if !lists.contains_key(&fault.component) {
                let ids = match admin(dirs, state, &fault.component) {
                    Ok(a) => a
                        .list()
                        .await
                        .ok()
                        .map(|l| l.into_iter().map(|i| i.id).collect()),
                    Err(_) => None,
                };
                lists.insert(fault.component.clone(), ids);
            }
            if let Some(Some(ids)) = lists.get(&fault.component)
                && !ids.contains(&fault.id)
            {
                continue;
            }
        }
        keep.push(fault);
    }
    ledger::save(dirs, &keep)?;
    Ok(keep)
}

/// For `labtui up`: undo and forget faults whose labtui is gone (left by a crash or a
/// closed session). Faults with an owner (a challenge's) outlive the short-lived command
/// that injected them and are left to the owner's reconcile. Returns what was cleared.
pub async fn clear_orphans(dirs: &LabDirs) -> Result<Vec<ActiveFault>, FaultError> {
    let _lock = ledger::Lock::take(dirs)?;
    let faults = ledger::load(dirs)?;
    let me = std::process::id();
    let (orphans, alive): (Vec<_>, Vec<_>) = faults.into_iter().partition(|f| {
        f.owner.is_none() && f.owner_pid != me && proc::is_gone(f.owner_pid, f.owner_start_ticks)
    });
    if let Ok(state) = state(dirs) {
        for fault in &orphans {
            let _ = undo(dirs, &state, fault).await;
        }
    }
    ledger::save(dirs, &alive)?;
    Ok(orphans)
}

/// For `labtui down`: forget every fault and remove the ledger. The processes are about
/// to stop, so only what would get in the way of stopping is undone: a paused component is
/// resumed so it can exit cleanly. Returns what was recorded.
pub async fn clear_all_for_down(dirs: &LabDirs) -> Result<Vec<ActiveFault>, FaultError> {
    let _lock = ledger::Lock::take(dirs)?;
    let faults = ledger::load(dirs).unwrap_or_default();
    if let Ok(state) = state(dirs) {
        for fault in faults.iter().filter(|f| f.name == "stack_pause") {
            let _ = control(dirs, &state, &fault.component, ControlAction::Resume).await;
        }
    }
    let _ = std::fs::remove_file(ledger::path(dirs));
    Ok(faults)
}
