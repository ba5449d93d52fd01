//! The fault catalogue as data: `catalogue.toml` compiled in, parsed into [`Catalogue`], and
//! the validation of an injection's parameters and target against it.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::FaultError;

/// The catalogue's file name, as errors name it.
pub const FILE: &str = "src/lab/faults/catalogue.toml";
const TEXT: &str = include_str!("catalogue.toml");

/// Every fault labtui can inject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalogue {
    #[serde(rename = "fault")]
    pub faults: Vec<FaultDef>,
}

/// How a fault works, which decides who applies and undoes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mechanism {
    /// A decision on the request path of a shop service (its admin API).
    Request,
    /// A task inside a shop service (its admin API).
    Background,
    /// The shop service exits; the lab's runtime starts it again.
    Process,
    /// The lab's runtime stops, pauses or kills a component.
    Runtime,
}

impl Mechanism {
    /// Whether the fault lives inside a shop service (and expires there on its own).
    pub fn in_service(self) -> bool {
        matches!(self, Self::Request | Self::Background)
    }
}

/// What a fault is aimed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    /// A shop service (`payments`).
    Service,
    /// A call from one service to another (`orders->payments`).
    Edge,
    /// A component of the lab (`alertmanager`, `shop-inventory`).
    Component,
}

/// The allowed targets (empty: any of the kind) and the default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetDef {
    pub kind: TargetKind,
    #[serde(default)]
    pub allowed: Vec<String>,
    pub default: String,
}

/// A parameter's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamKind {
    Number,
    Text,
}

/// One parameter with its default, limits and unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamDef {
    pub name: String,
    pub kind: ParamKind,
    pub default: ParamValue,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    pub unit: String,
    pub help: String,
}

/// A parameter's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    Number(f64),
    Text(String),
}

impl ParamValue {
    /// The number, or 0 for text.
    pub fn number(&self) -> f64 {
        match self {
            Self::Number(n) => *n,
            Self::Text(_) => 0.0,
        }
    }

    /// The text, or the number written out.
    pub fn text(&self) -> String {
        match self {
            Self::Number(n) => format_number(*n),
            Self::Text(t) => t.clone(),
        }
    }
}

/// A number as a user typed it: no trailing `.0`.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Where a fault shows, per signal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Symptoms {
    pub metrics: String,
    pub logs: String,
    pub traces: String,
}

/// One fault of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultDef {
    pub name: String,
    pub summary: String,
    pub description: String,
    pub mechanism: Mechanism,
    pub target: TargetDef,
    #[serde(default)]
    pub params: Vec<ParamDef>,
    pub symptoms: Symptoms,
    /// PromQL with a condition, `{{...}}` placeholders filled by [`FaultDef::symptom_query_for`].
    pub symptom_query: String,
    pub undo: String,
    #[serde(default = "default_ttl")]
    pub ttl_seconds: u64,
}

/// The TTL of a fault unless the catalogue or the injection says otherwise: 10 minutes.
pub const DEFAULT_TTL_SECONDS: u64 = 600;
/// The longest TTL an injection may ask for: a day.
pub const MAX_TTL_SECONDS: u64 = 86_400;

fn default_ttl() -> u64 {
    DEFAULT_TTL_SECONDS
}

/// The shipped catalogue, parsed once. A broken catalogue is a build defect (a unit test
/// parses it); if it still happens, the error names the file and line.
pub fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| match parse(TEXT) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("{e}");
            Catalogue { faults: Vec::new() }
        }
    })
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Parse and check a catalogue text (errors name [`FILE`] and the line).
pub fn parse(text: &str) -> Result<Catalogue, FaultError> {
    let catalogue: Catalogue = toml::from_str(text).map_err(|e| FaultError::Catalogue {
        file: FILE,
        line: e.span().map_or(0, |s| line_of(text, s.start)),
        message: e.message().to_string(),
    })?;
    for def in &catalogue.faults {
        let line = text
            .find(&format!("name = \"{}\"", def.name))
            .map_or(0, |o| line_of(text, o));
        let fail = |message: String| FaultError::Catalogue {
            file: FILE,
            line,
            message: format!("fault `{}`: {message}", def.name),
        };
        if catalogue
            .faults
            .iter()
            .filter(|f| f.name == def.name)
            .count()
            > 1
        {
            return Err(fail("the name is used twice".into()));
        }
        for p in &def.params {
            check_value(def, p, &p.default).map_err(|e| fail(format!("default: {e}")))?;
        }
        if !def.target.allowed.is_empty() && !def.target.allowed.contains(&def.target.default) {
            return Err(fail("the default target is not in `allowed`".into()));
        }
        let filled = def.symptom_query_for(&def.target.default, &def.defaults());
        if filled.contains("{{") {
            return Err(fail(format!(
                "unknown placeholder in symptom_query: {filled}"
            )));
        }
        if let Err(e) = promql_parser::parser::parse(&filled) {
            return Err(fail(format!("symptom_query does not parse: {e}")));
        }
    }
    Ok(catalogue)
}

impl Catalogue {
    /// The fault called `name`.
    pub fn get(&self, name: &str) -> Result<&FaultDef, FaultError> {
        self.faults
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| FaultError::UnknownFault {
                name: name.to_string(),
                known: self
                    .faults
                    .iter()
                    .map(|f| f.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

fn check_value(def: &FaultDef, p: &ParamDef, value: &ParamValue) -> Result<(), FaultError> {
    let bad = |allowed: String, got: String| FaultError::BadParam {
        fault: def.name.clone(),
        param: p.name.clone(),
        got,
        allowed,
    };
    match (p.kind, value) {
        (ParamKind::Number, ParamValue::Number(n)) => {
            let (lo, hi) = (p.min.unwrap_or(f64::MIN), p.max.unwrap_or(f64::MAX));
            if !n.is_finite() || *n < lo || *n > hi {
                return Err(bad(
                    format!("{} to {} {}", format_number(lo), format_number(hi), p.unit),
                    format_number(*n),
                ));
            }
        }
        (ParamKind::Text, ParamValue::Text(t)) => {
            if !p.choices.is_empty() && !p.choices.contains(t) {
                return Err(bad(format!("one of {}", p.choices.join(", ")), t.clone()));
            }
            if t.len() > 64 || t.contains(['"', '\\', '\n']) {
                return Err(bad("up to 64 characters, no quotes".into(), t.clone()));
            }
        }
        (ParamKind::Number, ParamValue::Text(t)) => {
            return Err(bad(format!("a number in {}", p.unit), t.clone()));
        }
        (ParamKind::Text, ParamValue::Number(n)) => {
            return Err(bad("text".into(), format_number(*n)));
        }
    }
    Ok(())
}

impl FaultDef {
    /// Every parameter at its default.
    pub fn defaults(&self) -> BTreeMap<String, ParamValue> {
        self.params
            .iter()
            .map(|p| (p.name.clone(), p.default.clone()))
            .collect()
    }

    /// Check `given` (as typed: `ms=900`) against the limits and fill in the defaults.
    pub fn resolve_params(
        &self,
        given: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, ParamValue>, FaultError> {
        let mut out = self.defaults();
        for (name, raw) in given {
            let Some(p) = self.params.iter().find(|p| &p.name == name) else {
                return Err(FaultError::UnknownParam {
                    fault: self.name.clone(),
                    param: name.clone(),
                    known: if self.params.is_empty() {
                        "none".to_string()
                    } else {
                        self.params
                            .iter()
                            .map(|p| p.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    },
                });
            };
            let value = match p.kind {
                ParamKind::Number => raw
                    .trim()
                    .parse::<f64>()
                    .map(ParamValue::Number)
                    .unwrap_or_else(|_| ParamValue::Text(raw.clone())),
                ParamKind::Text => ParamValue::Text(raw.trim().to_string()),
            };
            check_value(self, p, &value)?;
            out.insert(name.clone(), value);
        }
        Ok(out)
    }

    /// Check typed parameters (an admin API body): no unknown names, values in range.
    pub fn check_params(&self, params: &BTreeMap<String, ParamValue>) -> Result<(), FaultError> {
        for (name, value) in params {
            let Some(p) = self.params.iter().find(|p| &p.name == name) else {
                return Err(FaultError::UnknownParam {
                    fault: self.name.clone(),
                    param: name.clone(),
                    known: self
                        .params
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            };
            check_value(self, p, value)?;
        }
        Ok(())
    }

    /// The target to use: the given one (checked) or the default.
    pub fn resolve_target(&self, given: Option<&str>) -> Result<String, FaultError> {
        let target = given.unwrap_or(&self.target.default).trim().to_string();
        let ok = if self.target.allowed.is_empty() {
            !target.is_empty()
                && target
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        } else {
            self.target.allowed.contains(&target)
        };
        if ok {
            Ok(target)
        } else {
            Err(FaultError::BadTarget {
                fault: self.name.clone(),
                target,
                allowed: if self.target.allowed.is_empty() {
                    "a component of the lab (see `labtui status`)".to_string()
                } else {
                    self.target.allowed.join(", ")
                },
            })
        }
    }

    /// The service that applies the fault: the target, or the caller of an edge.
    pub fn applying_service<'a>(&self, target: &'a str) -> &'a str {
        match self.target.kind {
            TargetKind::Edge => target.split_once("->").map_or(target, |(c, _)| c),
            _ => target,
        }
    }

    /// The symptom query for this target and these parameters.
    pub fn symptom_query_for(&self, target: &str, params: &BTreeMap<String, ParamValue>) -> String {
        let (caller, callee) = target.split_once("->").unwrap_or((target, target));
        let job = target
            .strip_prefix(crate::lab::shop::COMPONENT_PREFIX)
            .unwrap_or(target);
        let mut q = self
            .symptom_query
            .replace("{{target}}", target)
            .replace("{{caller}}", caller)
            .replace("{{callee}}", callee)
            .replace("{{job}}", job);
        for (name, value) in params {
            q = q.replace(&format!("{{{{{name}}}}}"), &value.text());
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_catalogue_parses_and_has_every_fault() {
        let c = parse(TEXT).unwrap();
        for name in [
            "latency",
            "errors",
            "crash",
            "memory_leak",
            "cpu_burn",
            "db_slow",
            "db_lock",
            "pool_exhaustion",
            "dependency_down",
            "queue_stall",
            "job_stall",
            "job_partial",
            "log_flood",
            "cardinality_explosion",
            "broken_propagation",
            "slice_failure",
            "bad_release",
            "stack_stop",
            "stack_pause",
            "stack_kill",
        ] {
            let def = c.get(name).unwrap();
            assert!(def.ttl_seconds > 0);
        }
        assert_eq!(catalogue().faults.len(), c.faults.len());
    }

    #[test]
    fn params_are_checked_against_limits_with_the_name_and_range() {
        let def = catalogue().get("latency").unwrap();
        let given = BTreeMap::from([("ms".to_string(), "900".to_string())]);
        let params = def.resolve_params(&given).unwrap();
        assert_eq!(params["ms"], ParamValue::Number(900.0));
        assert_eq!(params["probability"], ParamValue::Number(1.0));
        let err = def
            .resolve_params(&BTreeMap::from([("ms".into(), "99999".into())]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`ms`") && err.contains("1 to 10000 ms"),
            "{err}"
        );
        let err = def
            .resolve_params(&BTreeMap::from([("probability".into(), "lots".into())]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`probability`") && err.contains("lots"),
            "{err}"
        );
        let err = def
            .resolve_params(&BTreeMap::from([("speed".into(), "1".into())]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("speed") && err.contains("ms, probability, route"),
            "{err}"
        );
        assert!(def.resolve_target(Some("billing")).is_err());
        assert_eq!(def.resolve_target(None).unwrap(), "payments");
        let q = def.symptom_query_for("payments", &params);
        assert!(
            q.contains(r#"service="payments""#) && q.ends_with("> 900 / 2000"),
            "{q}"
        );
        let edge = catalogue().get("dependency_down").unwrap();
        assert_eq!(edge.applying_service("orders->payments"), "orders");
        let stop = catalogue().get("stack_stop").unwrap();
        assert!(stop.resolve_target(Some("shop-inventory")).is_ok());
        assert!(stop.resolve_target(Some("a b")).is_err());
        assert_eq!(
            stop.symptom_query_for("shop-inventory", &BTreeMap::new()),
            r#"up{job="inventory"} == 0"#
        );
    }

    #[test]
    fn a_broken_catalogue_names_the_file_and_line() {
        let err = parse("[[fault]]\nname = \"x\"\nmechanism = \"teleport\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains(FILE), "{err}");
        let bad_default = TEXT.replacen("default = 800", "default = 80000", 1);
        let err = parse(&bad_default).unwrap_err().to_string();
        assert!(
            err.contains("fault `latency`") && err.contains(":20:"),
            "{err}"
        );
    }
}
