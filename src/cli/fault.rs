//! `labtui fault list|inject|clear|status`: the fault catalogue and the lab's active faults.

use std::process::ExitCode;

use clap::Subcommand;
use color_eyre::eyre::{Result, WrapErr};

use crate::lab::faults::{
    self, ActiveFault, FaultDef, InjectRequest, ParamKind, catalogue::format_number,
};
use crate::lab::paths::Paths;
use crate::lab::stack::LabDirs;

/// `labtui fault ...`
#[derive(Debug, Subcommand)]
pub enum FaultCommand {
    /// List the catalogue: every fault with its parameters, target and symptoms
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Inject a fault into the running lab (e.g. `labtui fault inject latency ms=900 --target payments`)
    Inject {
        /// The fault's name (see `labtui fault list`)
        name: String,
        /// Parameters as NAME=VALUE (defaults for the rest)
        params: Vec<String>,
        /// A shop service, a caller->callee pair, or a lab component (default: the catalogue's)
        #[arg(long, value_name = "T")]
        target: Option<String>,
        /// How long until it undoes itself: 90s, 10m, 1h [default: 10m]
        #[arg(long, value_name = "DURATION")]
        ttl: Option<String>,
    },
    /// Clear one fault (by name or id), or all of them with --all
    Clear {
        /// The fault's name or id
        name: Option<String>,
        /// Clear every fault
        #[arg(long, conflicts_with = "name")]
        all: bool,
    },
    /// Show the active faults and the time they have left
    Status {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

/// Run `labtui fault ...`.
pub fn run_fault(command: &FaultCommand) -> Result<ExitCode> {
    if let FaultCommand::List { json } = command {
        list(*json)?;
        return Ok(ExitCode::SUCCESS);
    }
    let dirs = LabDirs::new(&Paths::resolve()?);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .wrap_err("could not start the async runtime")?;
    match command {
        FaultCommand::List { .. } => {}
        FaultCommand::Inject {
            name,
            params,
            target,
            ttl,
        } => {
            let request = InjectRequest {
                name: name.clone(),
                target: target.clone(),
                params: faults::parse_params(params)?,
                ttl: ttl.as_deref().map(faults::parse_ttl).transpose()?,
            };
            let fault = runtime.block_on(faults::inject(&dirs, request))?;
            println!(
                "injected {} on {} ({}) for {}",
                fault.name,
                fault.target,
                fault.id,
                faults::format_remaining(fault.remaining(chrono::Utc::now()))
            );
            println!("symptom: {}", fault.symptom_query);
        }
        FaultCommand::Clear { name, all } => {
            if name.is_none() && !all {
                color_eyre::eyre::bail!("name a fault to clear, or pass --all");
            }
            let cleared = runtime.block_on(faults::clear(&dirs, name.as_deref()))?;
            if cleared.is_empty() {
                println!("no active fault to clear");
            }
            for f in cleared {
                println!("cleared {} on {} ({})", f.name, f.target, f.id);
            }
        }
        FaultCommand::Status { json } => {
            let active = runtime.block_on(faults::active(&dirs))?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&status_json(&active))?);
            } else if active.is_empty() {
                println!("no active faults");
            } else {
                for line in status_lines(&active, chrono::Utc::now()) {
                    println!("{line}");
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Print the catalogue; a closed pipe (`| head`) ends the listing quietly.
fn list(json: bool) -> Result<()> {
    use std::io::Write as _;
    let cat = faults::catalogue();
    let mut out = std::io::stdout().lock();
    if json {
        let _ = writeln!(out, "{}", serde_json::to_string_pretty(cat)?);
        return Ok(());
    }
    for def in &cat.faults {
        for line in describe(def) {
            if writeln!(out, "{line}").is_err() {
                return Ok(());
            }
        }
        let _ = writeln!(out);
    }
    Ok(())
}

/// A fault as `labtui fault list` prints it.
pub fn describe(def: &FaultDef) -> Vec<String> {
    let mut out = vec![
        format!("{}  {}", def.name, def.summary),
        format!(
            "  target: {} (default {})",
            if def.target.allowed.is_empty() {
                "a lab component".to_string()
            } else {
                def.target.allowed.join(", ")
            },
            def.target.default
        ),
    ];
    for p in &def.params {
        let range = match p.kind {
            ParamKind::Number => format!(
                "{}..{}",
                p.min.map_or("".into(), format_number),
                p.max.map_or("".into(), format_number)
            ),
            ParamKind::Text if !p.choices.is_empty() => p.choices.join("|"),
            ParamKind::Text => "text".into(),
        };
        out.push(format!(
            "  {}={} ({range} {}): {}",
            p.name,
            p.default.text(),
            p.unit,
            p.help
        ));
    }
    out.push(format!("  metrics: {}", def.symptoms.metrics));
    out.push(format!("  logs: {}", def.symptoms.logs));
    out.push(format!("  traces: {}", def.symptoms.traces));
    out.push(format!(
        "  symptom: {}",
        def.symptom_query_for(&def.target.default, &def.defaults())
    ));
    out
}

/// `labtui fault status` rows: name, target, time left, parameters.
pub fn status_lines(active: &[ActiveFault], now: chrono::DateTime<chrono::Utc>) -> Vec<String> {
    active
        .iter()
        .map(|f| {
            let params: Vec<String> = f
                .params
                .iter()
                .map(|(k, v)| format!("{k}={}", v.text()))
                .collect();
            format!(
                "{:<22} {:<20} {:>8} left  {}",
                f.name,
                f.target,
                faults::format_remaining(f.remaining(now)),
                params.join(" ")
            )
        })
        .collect()
}

fn status_json(active: &[ActiveFault]) -> serde_json::Value {
    let now = chrono::Utc::now();
    serde_json::Value::Array(
        active
            .iter()
            .map(|f| {
                let mut v = serde_json::to_value(f).unwrap_or_default();
                v["remaining_seconds"] = f.remaining(now).as_secs().into();
                v
            })
            .collect(),
    )
}
