//! The spec as written in TOML, with source spans so errors can name the line.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::{Port, Profile, VersionProbe, line_of};
use crate::lab::stack::RuntimeKind;
use crate::lab::stack::error::StackError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSpec {
    pub schema: Spanned<u32>,
    #[serde(default)]
    pub lab: RawLab,
    #[serde(rename = "component", default)]
    pub components: Vec<Spanned<RawComponent>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLab {
    #[serde(default)]
    pub ports: Vec<Spanned<Port>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum RawConfig {
    Same(String),
    Moved { src: String, dest: String },
}

fn default_timeout() -> u64 {
    60
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawComponent {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    pub profile: Profile,
    pub runtimes: Option<Vec<RuntimeKind>>,
    pub image: String,
    #[serde(default)]
    pub binaries: Vec<Spanned<String>>,
    #[serde(default)]
    pub install: String,
    #[serde(default)]
    pub args: Vec<Spanned<String>>,
    #[serde(default)]
    pub env: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub configs: Vec<Spanned<RawConfig>>,
    pub ports: Spanned<Vec<Spanned<Port>>>,
    pub ready: Spanned<String>,
    pub ready_port: Option<Spanned<String>>,
    #[serde(default = "default_timeout")]
    pub ready_timeout_s: u64,
    pub version: Option<Spanned<VersionProbe>>,
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    pub memory_mb: u32,
}

/// Parse the TOML, turning a syntax or shape error into `file:line: key: message`.
pub(super) fn parse(text: &str, file: &str) -> Result<RawSpec, StackError> {
    toml::from_str::<RawSpec>(text).map_err(|err| {
        let offset = err.span().map(|s| s.start).unwrap_or(0);
        let line = line_of(text, offset);
        StackError::Spec {
            file: file.to_string(),
            line,
            key: key_at(text, line),
            message: err.message().trim().to_string(),
        }
    })
}

/// A readable key for an error on `line`: the enclosing table (with the component's name
/// when it is a `[[component]]`) and the key written on that line.
fn key_at(text: &str, line: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let idx = line.saturating_sub(1).min(lines.len().saturating_sub(1));
    let own_key = lines
        .get(idx)
        .and_then(|l| l.split_once('='))
        .map(|(k, _)| k.trim().to_string())
        .filter(|k| !k.is_empty() && !k.starts_with('[') && !k.contains(' '));
    // Walk back to the table header.
    let mut header = None;
    for (i, l) in lines.iter().enumerate().take(idx + 1).rev() {
        let t = l.trim();
        if t.starts_with('[') {
            header = Some((i, t.trim_matches(|c| c == '[' || c == ']').to_string()));
            break;
        }
    }
    let table = match header {
        Some((i, name)) if name == "component" => {
            let comp = lines
                .iter()
                .skip(i + 1)
                .take_while(|l| !l.trim_start().starts_with('['))
                .find_map(|l| {
                    let (k, v) = l.split_once('=')?;
                    (k.trim() == "name").then(|| v.trim().trim_matches('"').to_string())
                });
            match comp {
                Some(c) => format!("component `{c}`"),
                None => "component".to_string(),
            }
        }
        Some((_, name)) => name,
        None => String::new(),
    };
    match (table.is_empty(), own_key) {
        (true, Some(k)) => k,
        (true, None) => "(top level)".to_string(),
        (false, Some(k)) => format!("{table}.{k}"),
        (false, None) => table,
    }
}
