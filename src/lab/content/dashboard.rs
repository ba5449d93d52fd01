//! Recorded dashboards: real series recorded from the lab under a fault, shipped as JSON
//! under the content root so "explain this dashboard" drills work with no lab running.
//!
//! A drill names its dataset in front matter (`dashboard = "assets/dashboards/x.json"`,
//! relative to the content root); [`load`] reads and checks it. The format is described
//! for authors in docs/CONTENT.md; `examples/record_dashboard.rs` writes it.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::lab::query::{Labels, RangeSeries, Sample, Unit};

/// The format version [`load`] reads and the recorder writes.
pub const FORMAT: u32 = 1;

/// A dataset larger than this is refused: it is shipped with labtui and read at start-up.
pub const MAX_BYTES: u64 = 512 * 1024;

/// The units a panel may declare, as written in the JSON.
pub const UNITS: [&str; 8] = ["req/s", "/s", "%", "ratio", "s", "bytes", "cores", "count"];

/// A recorded dashboard: a time range, what happened in it, and the panels' series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dashboard {
    /// Always [`FORMAT`].
    pub format: u32,
    pub title: String,
    pub recorded: Recording,
    /// Minutes east of UTC the times are shown in, so the chart's clock matches the
    /// times the drill's text and annotations speak of, wherever it is opened.
    #[serde(default)]
    pub utc_offset_minutes: i32,
    /// Unix seconds.
    pub start: i64,
    pub end: i64,
    /// Seconds between points.
    pub step: u32,
    #[serde(default)]
    pub annotations: Vec<Annotation>,
    pub panels: Vec<Panel>,
}

/// Where and how the data was recorded, so anyone can record it again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recording {
    /// The lab it was recorded from (`labtui native lab`).
    pub source: String,
    pub labtui_version: String,
    /// The fault injected during the range, with its target and parameters.
    pub fault: String,
    pub target: String,
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    /// Traffic the generator sent, requests per second.
    #[serde(default)]
    pub traffic_rps: Option<f64>,
}

/// Something that happened at an instant: a fault injected or cleared, a deploy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Annotation {
    /// Unix seconds.
    pub time: i64,
    pub text: String,
}

/// One chart of the dashboard and the query it was recorded with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Panel {
    pub title: String,
    /// One of [`UNITS`].
    pub unit: String,
    /// The PromQL that produced the series, over the lab's Prometheus.
    pub query: String,
    pub series: Vec<PanelSeries>,
}

/// One series of a panel: its labels and `[unix seconds, value]` points in time order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PanelSeries {
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    pub points: Vec<(i64, f64)>,
}

impl Panel {
    /// How the chart and tables print this panel's numbers.
    pub fn chart_unit(&self) -> Unit {
        match self.unit.as_str() {
            "req/s" | "/s" => Unit::PerSecond,
            "%" => Unit::Percent,
            "ratio" => Unit::Ratio,
            "s" => Unit::Seconds,
            "bytes" => Unit::Bytes,
            "count" => Unit::Count,
            _ => Unit::Plain,
        }
    }

    /// The series as a range result, the shape the query pane's chart is built from.
    pub fn range_series(&self) -> Vec<RangeSeries> {
        self.series
            .iter()
            .map(|s| RangeSeries {
                labels: s
                    .labels
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                samples: s
                    .points
                    .iter()
                    .map(|&(t, v)| Sample { t: t as f64, v })
                    .collect(),
            })
            .collect()
    }
}

impl PanelSeries {
    /// A recorded series from a query result: NaN and infinite samples are left out (JSON
    /// has no spelling for them; the chart shows the hole as a gap).
    pub fn from_range(series: &RangeSeries) -> Self {
        let labels: Labels = series.labels.clone();
        Self {
            labels: labels.into_iter().collect(),
            points: series
                .samples
                .iter()
                .filter(|s| s.v.is_finite())
                .map(|s| (s.t.round() as i64, round_sig(s.v, 4)))
                .collect(),
        }
    }
}

/// `v` to `digits` significant digits, to keep recorded files small.
fn round_sig(v: f64, digits: i32) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powi(digits - 1 - v.abs().log10().floor() as i32);
    (v * scale).round() / scale
}

/// Why a drill's dashboard could not be used. The messages say what to fix.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DashboardError {
    #[error(
        "`{0}` must be a path relative to the content root, like \
         \"assets/dashboards/checkout-latency.json\""
    )]
    Absolute(String),
    #[error("`{0}` leaves the content root (`..`); keep datasets under assets/dashboards/")]
    Escapes(String),
    #[error(
        "`{path}` resolves to {target}, outside the content root; copy the file under \
         assets/dashboards/ instead of linking to it"
    )]
    SymlinkOut { path: String, target: String },
    #[error(
        "no dataset at `{path}` ({detail}); record one with `cargo run --example record_dashboard`"
    )]
    Missing { path: String, detail: String },
    #[error(
        "`{path}` is {size} bytes; a dataset must stay under {MAX_BYTES} (record fewer series or a longer step)"
    )]
    TooLarge { path: String, size: u64 },
    /// Not JSON of the dataset's shape; `line` and `column` are in the JSON file.
    #[error("{path}:{line}:{column}: not a valid dashboard dataset: {message}")]
    Json {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl DashboardError {
    /// The line in the dataset the problem is on, when it is about the JSON itself.
    pub fn json_line(&self) -> Option<usize> {
        match self {
            Self::Json { line, .. } => Some(*line),
            _ => None,
        }
    }
}

/// Reads the dataset `rel` (as written in a drill's front matter) under `root`, refusing
/// paths that leave the root, whether by `..`, by being absolute or through a symlink.
pub fn load(root: &Path, rel: &str) -> Result<Dashboard, DashboardError> {
    let path = resolve(root, rel)?;
    let size = std::fs::metadata(&path)
        .map_err(|e| DashboardError::Missing {
            path: rel.to_owned(),
            detail: e.to_string(),
        })?
        .len();
    if size > MAX_BYTES {
        return Err(DashboardError::TooLarge {
            path: rel.to_owned(),
            size,
        });
    }
    let text = std::fs::read_to_string(&path).map_err(|e| DashboardError::Missing {
        path: rel.to_owned(),
        detail: e.to_string(),
    })?;
    parse(rel, &text)
}

/// Parses and checks a dataset's text; `name` is how errors refer to it.
pub fn parse(name: &str, text: &str) -> Result<Dashboard, DashboardError> {
    let dashboard: Dashboard = serde_json::from_str(text).map_err(|e| DashboardError::Json {
        path: name.to_owned(),
        line: e.line(),
        column: e.column(),
        message: e
            .to_string()
            .split(" at line ")
            .next()
            .unwrap_or("")
            .to_owned(),
    })?;
    validate(&dashboard).map_err(|message| DashboardError::Invalid {
        path: name.to_owned(),
        message,
    })?;
    Ok(dashboard)
}

/// The file `rel` names under `root`, once it is known to stay there.
fn resolve(root: &Path, rel: &str) -> Result<PathBuf, DashboardError> {
    let relative = Path::new(rel);
    if rel.trim().is_empty() {
        return Err(DashboardError::Absolute(rel.to_owned()));
    }
    for component in relative.components() {
        match component {
            Component::Normal(_) | Component::CurDir => {}
            Component::ParentDir => return Err(DashboardError::Escapes(rel.to_owned())),
            Component::RootDir | Component::Prefix(_) => {
                return Err(DashboardError::Absolute(rel.to_owned()));
            }
        }
    }
    let path = root.join(relative);
    // A link inside the root may point anywhere: compare where both really are.
    if let (Ok(real_root), Ok(real)) = (root.canonicalize(), path.canonicalize())
        && !real.starts_with(&real_root)
    {
        return Err(DashboardError::SymlinkOut {
            path: rel.to_owned(),
            target: real.display().to_string(),
        });
    }
    Ok(path)
}

/// The rules serde cannot express: a range, panels with series, points inside the range.
fn validate(d: &Dashboard) -> Result<(), String> {
    if d.format != FORMAT {
        return Err(format!(
            "`format` is {}, this labtui reads format {FORMAT}",
            d.format
        ));
    }
    if d.title.trim().is_empty() {
        return Err("`title` must not be empty".into());
    }
    if d.end <= d.start {
        return Err(format!(
            "`end` ({}) must be after `start` ({})",
            d.end, d.start
        ));
    }
    if d.step == 0 {
        return Err("`step` must be at least 1 second".into());
    }
    if d.utc_offset_minutes.abs() >= 24 * 60 {
        return Err(format!(
            "`utc_offset_minutes` must be within a day of UTC, not {}",
            d.utc_offset_minutes
        ));
    }
    let range = d.start..=d.end;
    for (i, a) in d.annotations.iter().enumerate() {
        if !range.contains(&a.time) {
            return Err(format!(
                "annotations[{i}] (\"{}\") at {} is outside start..end",
                a.text, a.time
            ));
        }
        if a.text.trim().is_empty() {
            return Err(format!("annotations[{i}]: `text` must not be empty"));
        }
    }
    if d.panels.is_empty() {
        return Err("`panels` is empty: a dashboard needs at least one panel".into());
    }
    for (i, p) in d.panels.iter().enumerate() {
        let at = format!("panels[{i}] (\"{}\")", p.title);
        if p.title.trim().is_empty() {
            return Err(format!("panels[{i}]: `title` must not be empty"));
        }
        if !UNITS.contains(&p.unit.as_str()) {
            return Err(format!(
                "{at}: unit `{}` is not one of {}",
                p.unit,
                UNITS.join(", ")
            ));
        }
        if p.query.trim().is_empty() {
            return Err(format!(
                "{at}: `query` must name the PromQL it was recorded with"
            ));
        }
        if p.series.is_empty() {
            return Err(format!("{at}: has no series"));
        }
        for (j, s) in p.series.iter().enumerate() {
            if s.points.is_empty() {
                return Err(format!("{at}: series[{j}] has no points"));
            }
            let mut last = None;
            for (k, &(t, v)) in s.points.iter().enumerate() {
                if !range.contains(&t) {
                    return Err(format!(
                        "{at}: series[{j}] point {k} at {t} is outside start..end"
                    ));
                }
                if last.is_some_and(|l| t <= l) {
                    return Err(format!(
                        "{at}: series[{j}] point {k} at {t} is not after the one before"
                    ));
                }
                if !v.is_finite() {
                    return Err(format!(
                        "{at}: series[{j}] point {k} is not a finite number"
                    ));
                }
                last = Some(t);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const GOOD: &str = r#"{
  "format": 1,
  "title": "Checkout under latency",
  "recorded": {"source": "labtui native lab", "labtui_version": "0.1.0",
               "fault": "latency", "target": "payments", "params": {"ms": "1200"}},
  "start": 1000, "end": 1120, "step": 60,
  "annotations": [{"time": 1060, "text": "fault injected"}],
  "panels": [{"title": "Rate", "unit": "req/s", "query": "sum(rate(x[1m]))",
              "series": [{"labels": {"route": "/a"}, "points": [[1000, 1.5], [1060, 2], [1120, 2.5]]}]}]
}"#;

    #[test]
    fn a_good_dataset_parses_into_chartable_series() {
        let d = parse("x.json", GOOD).unwrap();
        assert_eq!(d.panels[0].chart_unit(), Unit::PerSecond);
        let series = d.panels[0].range_series();
        assert_eq!(series[0].samples[1], Sample { t: 1060.0, v: 2.0 });
        assert_eq!(series[0].labels["route"], "/a");
        assert_eq!(d.recorded.params["ms"], "1200");
    }

    #[test]
    fn bad_json_names_the_file_line_and_column() {
        let text = GOOD.replace("\"step\": 60,", "\"step\": 60");
        let err = parse("assets/dashboards/x.json", &text).unwrap_err();
        let DashboardError::Json { line, column, .. } = &err else {
            panic!("{err:?}");
        };
        assert_eq!(
            *line, 7,
            "serde_json points at the token after the missing comma"
        );
        assert!(*column > 0);
        assert!(
            err.to_string().starts_with("assets/dashboards/x.json:7:"),
            "{err}"
        );
    }

    #[test]
    fn typos_and_missing_keys_are_json_problems() {
        let err = parse(
            "x.json",
            &GOOD.replace("\"title\": \"Rate\"", "\"titel\": \"Rate\""),
        )
        .unwrap_err();
        assert!(err.to_string().contains("unknown field `titel`"), "{err}");
        let err = parse("x.json", "{}").unwrap_err();
        assert!(err.to_string().contains("missing field"), "{err}");
    }

    #[test]
    fn semantic_rules_are_checked() {
        for (from, to, expect) in [
            ("\"step\": 60", "\"step\": 0", "`step`"),
            ("\"end\": 1120", "\"end\": 900", "`end`"),
            (
                "\"unit\": \"req/s\"",
                "\"unit\": \"furlongs\"",
                "unit `furlongs`",
            ),
            ("[1060, 2]", "[1060, 2], [1050, 2]", "not after"),
            ("[1120, 2.5]", "[9999, 2.5]", "outside start..end"),
            ("\"time\": 1060", "\"time\": 5", "annotations[0]"),
            (
                "\"query\": \"sum(rate(x[1m]))\"",
                "\"query\": \" \"",
                "`query`",
            ),
        ] {
            let text = GOOD.replace(from, to);
            assert_ne!(text, GOOD, "{from} not found");
            let err = parse("x.json", &text).unwrap_err().to_string();
            assert!(err.contains(expect), "{expect}: {err}");
        }
    }

    #[test]
    fn empty_panels_are_refused() {
        let start = GOOD.find("\"panels\"").unwrap();
        let text = format!("{}\"panels\": []\n}}", &GOOD[..start]);
        let err = parse("x.json", &text).unwrap_err().to_string();
        assert!(err.contains("`panels` is empty"), "{err}");
        let text = GOOD.replace(
            r#""series": [{"labels": {"route": "/a"}, "points": [[1000, 1.5], [1060, 2], [1120, 2.5]]}]"#,
            r#""series": []"#,
        );
        let err = parse("x.json", &text).unwrap_err().to_string();
        assert!(err.contains("has no series"), "{err}");
    }

    #[test]
    fn paths_must_stay_under_the_root() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("x.json"), GOOD).unwrap();
        std::fs::create_dir_all(root.path().join("assets")).unwrap();
        std::fs::write(root.path().join("assets/ok.json"), GOOD).unwrap();
        assert!(load(root.path(), "assets/ok.json").is_ok());
        assert!(load(root.path(), "./assets/ok.json").is_ok());

        let abs = outside.path().join("x.json").display().to_string();
        assert!(matches!(
            load(root.path(), &abs),
            Err(DashboardError::Absolute(_))
        ));
        assert!(matches!(
            load(root.path(), "assets/../../x.json"),
            Err(DashboardError::Escapes(_))
        ));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(
                outside.path().join("x.json"),
                root.path().join("assets/link.json"),
            )
            .unwrap();
            let err = load(root.path(), "assets/link.json").unwrap_err();
            assert!(matches!(err, DashboardError::SymlinkOut { .. }), "{err:?}");
        }
        let err = load(root.path(), "assets/none.json").unwrap_err();
        assert!(matches!(err, DashboardError::Missing { .. }), "{err:?}");
        assert!(err.to_string().contains("assets/none.json"), "{err}");
    }

    #[test]
    fn recording_drops_non_finite_samples_and_rounds() {
        let s = RangeSeries {
            labels: Labels::from([("service".to_string(), "payments".to_string())]),
            samples: vec![
                Sample {
                    t: 10.0,
                    v: 0.123456789,
                },
                Sample {
                    t: 25.0,
                    v: f64::NAN,
                },
                Sample {
                    t: 40.0,
                    v: 1234.5678,
                },
            ],
        };
        let p = PanelSeries::from_range(&s);
        assert_eq!(p.points, vec![(10, 0.1235), (40, 1235.0)]);
    }
}
