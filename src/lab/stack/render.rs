//! Rendering one component for any runtime: its config files into {data_dir}/lab/<component>/
//! on the host, and its args and env, with the placeholder values the runtime's addressing gives.

use std::collections::{BTreeMap, BTreeSet};

use super::error::StackError;
use super::plan::{Addressing, Plan};
use super::spec::Component;
use super::state::{LabDirs, write_atomic};
use super::template::TemplateError;

/// A component's rendered args and env (its config files are already written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rendered {
    pub args: Vec<String>,
    pub env: BTreeMap<String, String>,
}

/// Write `component`'s configs into its host config dir (`dirs.config_dir`), rendered with
/// `addressing`, and return its rendered args and env. Prometheus also gets an empty shop
/// target list, which its `shop` job reads. A config error names the file and line.
pub(crate) fn render_component(
    plan: &Plan,
    dirs: &LabDirs,
    component: &Component,
    addressing: &Addressing,
    present: &BTreeSet<String>,
) -> Result<Rendered, StackError> {
    let config_dir = dirs.config_dir(&component.name);
    std::fs::create_dir_all(&config_dir)
        .map_err(|e| StackError::io("could not create", &config_dir, e))?;
    let ctx = plan.render_context(component, addressing, present);
    for cfg in &component.configs {
        let text = plan.spec.config_text(&cfg.src)?;
        let rendered = ctx.render(&text).map_err(|e| {
            template_error(
                plan.spec.config_display(&cfg.src),
                &component.name,
                &cfg.src,
                e,
            )
        })?;
        write_atomic(&config_dir.join(&cfg.dest), rendered.as_bytes())?;
    }
    if component.name == "prometheus" {
        // prometheus.yml's `shop` job reads this file; it must exist (empty until the shop runs).
        let targets = dirs.shop_targets_file();
        if !targets.exists() {
            write_atomic(&targets, b"[]\n")?;
        }
    }
    let spec_file = plan.spec.config_display("stack.toml");
    let render = |text: &str, what: &str| {
        ctx.render_line(text)
            .map_err(|e| template_error(spec_file.clone(), &component.name, what, e))
    };
    let args = component
        .args
        .iter()
        .map(|arg| render(arg, "args"))
        .collect::<Result<Vec<_>, _>>()?;
    let mut env = BTreeMap::new();
    for (key, value) in &component.env {
        env.insert(key.clone(), render(value, "env")?);
    }
    Ok(Rendered { args, env })
}

fn template_error(file: String, component: &str, src: &str, err: TemplateError) -> StackError {
    match err {
        TemplateError::Unknown { line, name } => StackError::Placeholder {
            file,
            component: component.to_string(),
            config: src.to_string(),
            line,
            placeholder: name,
        },
        TemplateError::Block { line, message } => StackError::Template {
            file,
            component: component.to_string(),
            config: src.to_string(),
            line,
            message,
        },
    }
}
