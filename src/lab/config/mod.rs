//! Settings from the optional config.toml: theme, which runtime runs the stack, and the
//! URLs of an existing stack to attach to.
//!
//! The file is read through serde with `deny_unknown_fields`, every value kept with its
//! span, so each error names the file, the line, the key and how to fix it.

use std::ffi::OsStr;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use toml::Spanned;

/// The environment variable that turns colour off (<https://no-color.org>).
pub const NO_COLOR_ENV: &str = "NO_COLOR";

/// The learner's settings; every field has a default, so the file is optional.
///
/// Build it with [`load`] or [`parse`], which validate; it is not `Deserialize` so nothing
/// can skip that.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Config {
    pub theme: ThemeName,
    pub runtime: RuntimeChoice,
    pub stack: StackUrls,
}

/// Colour theme, so the console stays readable on light terminals and for low vision.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThemeName {
    #[default]
    Dark,
    Light,
    HighContrast,
}

/// How the stack is run (see the design's runtimes); `Auto` picks docker when an engine
/// answers, else native.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuntimeChoice {
    #[default]
    Auto,
    Docker,
    Native,
    Attach,
}

/// Base URLs of stack components; set ones replace labtui's defaults (needed for `attach`).
///
/// Each is an `http://` or `https://` URL with a host, stored without a trailing `/` so
/// API paths can be appended directly.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StackUrls {
    pub prometheus: Option<String>,
    pub alertmanager: Option<String>,
    pub loki: Option<String>,
    pub tempo: Option<String>,
}

/// Why the config file could not be used; the message says where and how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("could not read config file {}: {source}; check that it is readable", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("{}", invalid_message(path, *line, key.as_deref(), problem))]
    Invalid {
        path: PathBuf,
        /// 1-based line of the offending key or value, when known.
        line: Option<usize>,
        /// Dotted key, e.g. `stack.loki`, when the problem belongs to one.
        key: Option<String>,
        /// What is wrong and how to fix it.
        problem: String,
    },
}

fn invalid_message(path: &Path, line: Option<usize>, key: Option<&str>, problem: &str) -> String {
    let mut msg = path.display().to_string();
    if let Some(line) = line {
        msg.push_str(&format!(":{line}"));
    }
    msg.push_str(": ");
    if let Some(key) = key {
        msg.push_str(&format!("key `{key}`: "));
    }
    msg.push_str(problem);
    msg
}

/// A value that must be one of a fixed set of words in the file.
trait Choice: Sized + Copy + 'static {
    const ALL: &'static [Self];
    fn as_str(self) -> &'static str;

    fn parse_word(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == s)
    }

    fn words() -> String {
        Self::ALL
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

macro_rules! choice_impls {
    ($ty:ty, $what:literal, [$($variant:ident => $word:literal),+ $(,)?]) => {
        impl Choice for $ty {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $word),+
                }
            }
        }

        impl $ty {
            /// Every value, in the order the docs list them.
            pub const ALL: &'static [Self] = <Self as Choice>::ALL;

            /// The word used for this value in the config file and on the command line.
            pub fn as_str(self) -> &'static str {
                <Self as Choice>::as_str(self)
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(Choice::as_str(*self))
            }
        }

        impl FromStr for $ty {
            type Err = String;

            /// Parses the config-file word; the error lists the valid ones.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <Self as Choice>::parse_word(s).ok_or_else(|| {
                    format!(
                        concat!("unknown ", $what, " {:?}; use one of {}"),
                        s,
                        <Self as Choice>::words()
                    )
                })
            }
        }
    };
}

choice_impls!(ThemeName, "theme", [Dark => "dark", Light => "light", HighContrast => "high-contrast"]);
choice_impls!(RuntimeChoice, "runtime", [
    Auto => "auto", Docker => "docker", Native => "native", Attach => "attach",
]);

/// The file as written: known keys only, each value with its span for error lines.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    theme: Option<Spanned<toml::Value>>,
    runtime: Option<Spanned<toml::Value>>,
    stack: Option<RawStack>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [stack] table of component URLs")]
struct RawStack {
    prometheus: Option<Spanned<toml::Value>>,
    alertmanager: Option<Spanned<toml::Value>>,
    loki: Option<Spanned<toml::Value>>,
    tempo: Option<Spanned<toml::Value>>,
}

const TOP_KEYS: &str = "theme, runtime, [stack]";
const STACK_KEYS: &str = "prometheus, alertmanager, loki, tempo";

/// Read the config file; a missing file means all defaults.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Config::default()),
        Err(source) => {
            return Err(ConfigError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let source = String::from_utf8(bytes).map_err(|_| ConfigError::Invalid {
        path: path.to_path_buf(),
        line: None,
        key: None,
        problem: "the file is not UTF-8 text; save it as UTF-8".to_owned(),
    })?;
    parse(path, &source)
}

/// Parse config text; `path` is only used to name the file in errors.
pub fn parse(path: &Path, source: &str) -> Result<Config, ConfigError> {
    let raw: RawConfig = toml::from_str(source).map_err(|e| serde_error(path, source, &e))?;
    let at = |spanned: &Spanned<toml::Value>, key: &str, problem: String| ConfigError::Invalid {
        path: path.to_path_buf(),
        line: Some(line_of(source, spanned.span().start)),
        key: Some(key.to_owned()),
        problem,
    };
    let mut config = Config::default();
    if let Some(v) = &raw.theme {
        config.theme = choice(v).map_err(|p| at(v, "theme", p))?;
    }
    if let Some(v) = &raw.runtime {
        config.runtime = choice(v).map_err(|p| at(v, "runtime", p))?;
    }
    if let Some(stack) = &raw.stack {
        let fields = [
            (
                &stack.prometheus,
                "prometheus",
                &mut config.stack.prometheus,
            ),
            (
                &stack.alertmanager,
                "alertmanager",
                &mut config.stack.alertmanager,
            ),
            (&stack.loki, "loki", &mut config.stack.loki),
            (&stack.tempo, "tempo", &mut config.stack.tempo),
        ];
        for (raw_value, name, slot) in fields {
            if let Some(v) = raw_value {
                *slot = Some(url(v).map_err(|p| at(v, &format!("stack.{name}"), p))?);
            }
        }
    }
    Ok(config)
}

/// Whether colour is turned off: `NO_COLOR` set to anything but the empty string.
pub fn no_color() -> bool {
    no_color_in(std::env::var_os(NO_COLOR_ENV).as_deref())
}

fn no_color_in(value: Option<&OsStr>) -> bool {
    value.is_some_and(|v| !v.is_empty())
}

fn choice<C: Choice>(value: &Spanned<toml::Value>) -> Result<C, String> {
    match value.get_ref() {
        toml::Value::String(s) => C::parse_word(s)
            .ok_or_else(|| format!("unknown value {s:?}; use one of {}", C::words())),
        other => Err(format!(
            "expected a string, found {} {other}; use one of {} in quotes",
            other.type_str(),
            C::words()
        )),
    }
}

const URL_FIX: &str = "write it like \"http://127.0.0.1:9090\"";

/// Check a component URL from the file and drop any trailing `/`.
fn url(value: &Spanned<toml::Value>) -> Result<String, String> {
    match value.get_ref() {
        toml::Value::String(s) => check_url(s),
        other => Err(format!(
            "expected a URL string, found {} {other}; {URL_FIX}",
            other.type_str()
        )),
    }
}

/// Check a component URL given anywhere (file, flag, environment) the same way: `http://`
/// or `https://`, a host, a valid port; returns it without a trailing `/`. The error says
/// what is wrong and how to write it.
pub fn check_url(s: &str) -> Result<String, String> {
    let bad = |why: &str| Err(format!("{s:?} {why}; {URL_FIX}"));
    let Some(rest) = s
        .strip_prefix("http://")
        .or_else(|| s.strip_prefix("https://"))
    else {
        return bad("is not an http:// or https:// URL");
    };
    if s.chars().any(char::is_whitespace) {
        return bad("contains whitespace");
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // An IPv6 host is bracketed; the port, if any, follows the last ':' outside brackets.
    let (host, port) = match authority.rfind(':') {
        Some(i) if !authority[i..].contains(']') => (&authority[..i], Some(&authority[i + 1..])),
        _ => (authority, None),
    };
    if host.is_empty() {
        return bad("has no host");
    }
    if let Some(port) = port
        && !port.parse::<u16>().is_ok_and(|p| p > 0)
    {
        return bad("has an invalid port (use 1-65535)");
    }
    Ok(s.trim_end_matches('/').to_owned())
}

/// Turn a toml/serde error into one that names the line and, when it can, the key.
fn serde_error(path: &Path, source: &str, err: &toml::de::Error) -> ConfigError {
    let line = err.span().map(|span| line_of(source, span.start));
    let message = err.message().trim_end();
    let expected = message.split_once(", expected").map_or("", |(_, e)| e);
    let (key, problem) = match unknown_field(message) {
        Some(field) if expected.contains("`prometheus`") => (
            Some(format!("stack.{field}")),
            format!("unknown key; valid keys in [stack] are {STACK_KEYS}"),
        ),
        Some(field) if STACK_KEYS.split(", ").any(|k| k == field) => (
            Some(field.to_owned()),
            format!("unknown key; valid keys are {TOP_KEYS}; component URLs go under [stack]"),
        ),
        Some(field) => (
            Some(field.to_owned()),
            format!("unknown key; valid keys are {TOP_KEYS}"),
        ),
        None if message.contains("[stack] table") => (
            Some("stack".to_owned()),
            format!("{message}; write it as a [stack] section"),
        ),
        None if message.starts_with("duplicate key") => (
            err.span()
                .and_then(|span| source.get(span))
                .map(|k| k.trim().to_owned())
                .filter(|k| !k.is_empty()),
            "set more than once; keep only one".to_owned(),
        ),
        None => (
            None,
            format!("{message}; fix the TOML syntax (see docs/CONFIG.md)"),
        ),
    };
    ConfigError::Invalid {
        path: path.to_path_buf(),
        line,
        key,
        problem,
    }
}

/// The field named by serde's "unknown field `x`, expected ..." message.
fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split('`').next()
}

/// 1-based line number of a byte offset.
fn line_of(source: &str, offset: usize) -> usize {
    let end = offset.min(source.len());
    source.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests;
