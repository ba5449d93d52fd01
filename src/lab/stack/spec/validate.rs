//! Checks the parsed spec (names, ports, dependencies, configs) and orders it by dependency.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use toml::Spanned;

use super::order::topo_order;
use super::raw::{RawComponent, RawConfig, RawSpec};
use super::{BinaryChoice, Component, ConfigFile, Port, SpecSource, line_of};
use crate::lab::stack::error::StackError;
use crate::lab::stack::template::{RenderContext, TemplateError};
use crate::lab::stack::{RuntimeKind, builtin};

pub(super) struct Ctx<'a> {
    text: &'a str,
    file: &'a str,
}

impl Ctx<'_> {
    pub(super) fn err(
        &self,
        offset: usize,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> StackError {
        StackError::Spec {
            file: self.file.to_string(),
            line: line_of(self.text, offset),
            key: key.into(),
            message: message.into(),
        }
    }
}

/// Name rule shared by components and ports: lowercase, digits, `-` and `_`.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

pub(super) fn validate(
    raw: RawSpec,
    text: &str,
    file: &str,
    source: &SpecSource,
) -> Result<(Vec<Port>, Vec<Component>), StackError> {
    let cx = Ctx { text, file };
    if *raw.schema.get_ref() != 1 {
        return Err(cx.err(
            raw.schema.span().start,
            "schema",
            format!(
                "schema {} is not supported; this labtui reads schema 1",
                raw.schema.get_ref()
            ),
        ));
    }

    let mut names: BTreeMap<String, usize> = BTreeMap::new();
    for c in &raw.components {
        let name = c.get_ref().name.get_ref();
        let at = c.get_ref().name.span().start;
        if !valid_name(name) || name == "lab" {
            return Err(cx.err(at, "component.name", format!("`{name}` is not a valid component name: use lowercase letters, digits and `-` (and not `lab`)")));
        }
        if names.insert(name.clone(), at).is_some() {
            return Err(cx.err(
                at,
                format!("component `{name}`"),
                "declared twice; component names must be unique",
            ));
        }
    }

    // Ports: names unique per owner and distinct from component names; offsets unique overall.
    let mut offsets: BTreeMap<u16, String> = BTreeMap::new();
    let mut default_ports: BTreeMap<u16, String> = BTreeMap::new();
    let mut lab_ports = Vec::new();
    let mut lab_names = BTreeSet::new();
    for p in &raw.lab.ports {
        let port = p.get_ref();
        let at = p.span().start;
        check_port(&cx, at, "lab.ports", port, &names)?;
        if !lab_names.insert(port.name.clone()) {
            return Err(cx.err(at, format!("lab.ports `{}`", port.name), "declared twice"));
        }
        claim(
            &cx,
            at,
            &mut offsets,
            port.offset,
            format!("lab.{}", port.name),
            "offset",
        )?;
        claim(
            &cx,
            at,
            &mut default_ports,
            port.default,
            format!("lab.{}", port.name),
            "default port",
        )?;
        lab_ports.push(port.clone());
    }

    let mut components = Vec::new();
    let mut spans = BTreeMap::new();
    for spanned in raw.components {
        let at = spanned.span().start;
        let c = spanned.into_inner();
        let name = c.name.get_ref().clone();
        if c.ports.get_ref().is_empty() {
            return Err(cx.err(
                c.ports.span().start,
                format!("component `{name}`.ports"),
                "needs at least one port (the first is the primary one)",
            ));
        }
        let mut own = BTreeSet::new();
        for p in c.ports.get_ref() {
            let port = p.get_ref();
            let key = format!("component `{name}`.ports");
            check_port(&cx, p.span().start, &key, port, &names)?;
            if lab_names.contains(&port.name) {
                return Err(cx.err(
                    p.span().start,
                    key,
                    format!(
                        "port name `{}` is already a lab port; choose another",
                        port.name
                    ),
                ));
            }
            if !own.insert(port.name.clone()) {
                return Err(cx.err(
                    p.span().start,
                    key,
                    format!("port `{}` declared twice", port.name),
                ));
            }
            claim(
                &cx,
                p.span().start,
                &mut offsets,
                port.offset,
                format!("{name}.{}", port.name),
                "offset",
            )?;
            claim(
                &cx,
                p.span().start,
                &mut default_ports,
                port.default,
                format!("{name}.{}", port.name),
                "default port",
            )?;
        }
        spans.insert(name.clone(), at);
        components.push(c);
    }

    // Args and env may only use placeholders that rendering will know.
    let globals = placeholder_names(&raw.lab.ports, &components);
    for c in &components {
        let name = c.name.get_ref();
        let mut vars = globals.clone();
        for p in c.ports.get_ref() {
            vars.insert(format!("port.{}", p.get_ref().name), String::new());
        }
        let values = c
            .args
            .iter()
            .map(|a| ("args", a))
            .chain(c.env.values().map(|v| ("env", v)));
        for (what, value) in values {
            let ctx = RenderContext {
                vars: vars.clone(),
                ..Default::default()
            };
            if let Err(TemplateError::Unknown { name: unknown, .. }) =
                ctx.render_line(value.get_ref())
            {
                return Err(cx.err(value.span().start, format!("component `{name}`.{what}"), format!("placeholder `{{{unknown}}}` is unknown; see the list at the top of stack.toml")));
            }
        }
    }
    let components = components
        .into_iter()
        .map(|c| convert(&cx, c, source))
        .collect::<Result<Vec<_>, _>>()?;

    // Dependencies exist, are not self, and a core component does not need a full one.
    let profiles: BTreeMap<&str, _> = components
        .iter()
        .map(|c| (c.inner.name.as_str(), c.inner.profile))
        .collect();
    for c in &components {
        for (dep, at) in &c.depends_on_spans {
            match profiles.get(dep.as_str()) {
                None => {
                    return Err(cx.err(
                        *at,
                        format!("component `{}`.depends_on", c.inner.name),
                        format!(
                            "unknown component `{dep}`; known: {}",
                            names.keys().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    ));
                }
                Some(_) if dep == &c.inner.name => {
                    return Err(cx.err(
                        *at,
                        format!("component `{}`.depends_on", c.inner.name),
                        "a component cannot depend on itself",
                    ));
                }
                Some(p) if !c.inner.profile.includes(*p) => {
                    return Err(cx.err(
                        *at,
                        format!("component `{}`.depends_on", c.inner.name),
                        format!(
                            "`{dep}` is only in profile {p}, so profile {} would miss it",
                            c.inner.profile
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
    }

    let ordered = topo_order(&cx, components, &spans)?;
    Ok((lab_ports, ordered))
}

/// Every placeholder name valid in any component (own `port.<name>` added per component).
fn placeholder_names(
    lab: &[Spanned<Port>],
    components: &[RawComponent],
) -> BTreeMap<String, String> {
    let mut vars = BTreeMap::new();
    for key in [
        "config_dir",
        "data_dir",
        "listen",
        "port",
        "webhook_url",
        "bin_home",
    ] {
        vars.insert(key.to_string(), String::new());
    }
    for p in lab {
        vars.insert(format!("port.{}", p.get_ref().name), String::new());
    }
    for c in components {
        let name = c.name.get_ref();
        for key in ["port", "host", "addr"] {
            vars.insert(format!("{key}.{name}"), String::new());
        }
        for p in c.ports.get_ref() {
            let port = &p.get_ref().name;
            vars.insert(format!("port.{name}.{port}"), String::new());
            vars.insert(format!("addr.{name}.{port}"), String::new());
        }
    }
    vars
}

fn check_port(
    cx: &Ctx,
    at: usize,
    key: &str,
    port: &Port,
    components: &BTreeMap<String, usize>,
) -> Result<(), StackError> {
    if !valid_name(&port.name) {
        return Err(cx.err(at, key, format!("`{}` is not a valid port name", port.name)));
    }
    if components.contains_key(&port.name) {
        return Err(cx.err(
            at,
            key,
            format!(
                "port name `{}` is also a component name, which makes {{port.{}}} ambiguous",
                port.name, port.name
            ),
        ));
    }
    if port.default == 0 || port.container == Some(0) {
        return Err(cx.err(
            at,
            key,
            format!("port `{}` needs a non-zero default", port.name),
        ));
    }
    Ok(())
}

fn claim(
    cx: &Ctx,
    at: usize,
    seen: &mut BTreeMap<u16, String>,
    value: u16,
    owner: String,
    what: &str,
) -> Result<(), StackError> {
    if let Some(first) = seen.get(&value) {
        return Err(cx.err(
            at,
            owner.clone(),
            format!("{what} {value} is already used by {first}; every port needs its own"),
        ));
    }
    seen.insert(value, owner);
    Ok(())
}

/// A component plus the source offsets of its dependencies (for error lines).
pub(super) struct Checked {
    pub(super) inner: Component,
    depends_on_spans: Vec<(String, usize)>,
}

fn convert(cx: &Ctx, c: RawComponent, source: &SpecSource) -> Result<Checked, StackError> {
    let name = c.name.get_ref().clone();
    let key = |k: &str| format!("component `{name}`.{k}");
    let runtimes = c
        .runtimes
        .clone()
        .unwrap_or_else(|| vec![RuntimeKind::Docker, RuntimeKind::Native]);
    if runtimes.contains(&RuntimeKind::Native) && c.binaries.is_empty() {
        return Err(cx.err(
            c.name.span().start,
            key("binaries"),
            "runs natively but names no binary; add `binaries = [..]` or `runtimes = [\"docker\"]`",
        ));
    }
    let binaries = c
        .binaries
        .iter()
        .map(|b| {
            let mut words = b.get_ref().split_whitespace().map(str::to_string);
            match words.next() {
                Some(program) => Ok(BinaryChoice {
                    program,
                    pre_args: words.collect(),
                }),
                None => Err(cx.err(b.span().start, key("binaries"), "an empty binary name")),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    if !c.ready.get_ref().starts_with('/') {
        return Err(cx.err(
            c.ready.span().start,
            key("ready"),
            "the readiness path must start with `/`",
        ));
    }
    let ports: Vec<Port> = c
        .ports
        .get_ref()
        .iter()
        .map(|p| p.get_ref().clone())
        .collect();
    let ready_port = match &c.ready_port {
        Some(p) if ports.iter().any(|q| &q.name == p.get_ref()) => p.get_ref().clone(),
        Some(p) => {
            return Err(cx.err(
                p.span().start,
                key("ready_port"),
                format!("no port named `{}` in this component", p.get_ref()),
            ));
        }
        None => ports[0].name.clone(),
    };
    if let Some(v) = &c.version {
        let probe = v.get_ref();
        if probe.json.is_some() == probe.metric.is_some() || !probe.path.starts_with('/') {
            return Err(cx.err(v.span().start, key("version"), "give a path starting with `/` and exactly one of `json` (a JSON pointer) or `metric` (a build_info metric)"));
        }
    }
    let mut configs = Vec::new();
    for cfg in &c.configs {
        let (src, dest) = match cfg.get_ref() {
            RawConfig::Same(s) => (s.clone(), s.clone()),
            RawConfig::Moved { src, dest } => (src.clone(), dest.clone()),
        };
        for p in [&src, &dest] {
            if p.starts_with('/') || p.split('/').any(|part| part == ".." || part.is_empty()) {
                return Err(cx.err(
                    cfg.span().start,
                    key("configs"),
                    format!("`{p}` must be a relative path inside the stack directory"),
                ));
            }
        }
        let present = match source {
            SpecSource::Builtin => builtin::file(&src).is_some(),
            SpecSource::Dir(dir) => dir.join(&src).is_file(),
        };
        if !present {
            return Err(cx.err(
                cfg.span().start,
                key("configs"),
                format!("config file `{src}` does not exist next to the spec"),
            ));
        }
        configs.push(ConfigFile { src, dest });
    }
    let depends_on_spans = c
        .depends_on
        .iter()
        .map(|d| (d.get_ref().clone(), d.span().start))
        .collect();
    Ok(Checked {
        inner: Component {
            name: name.clone(),
            description: c.description,
            profile: c.profile,
            runtimes,
            image: c.image,
            binaries,
            install: c.install,
            args: c.args.into_iter().map(Spanned::into_inner).collect(),
            env: c
                .env
                .into_iter()
                .map(|(k, v)| (k, v.into_inner()))
                .collect(),
            configs,
            ports,
            ready_path: c.ready.into_inner(),
            ready_port,
            ready_timeout: Duration::from_secs(c.ready_timeout_s.max(1)),
            version: c.version.map(Spanned::into_inner),
            depends_on: c.depends_on.into_iter().map(Spanned::into_inner).collect(),
            memory_mb: c.memory_mb,
        },
        depends_on_spans,
    })
}
