//! Renders spec args and config files: `{placeholder}` substitution and `# @if <component>` blocks.
//!
//! A placeholder is `{name}` where name is letters, digits, `_`, `-` and `.`. Text that only
//! looks similar is left alone: `{{ go template }}`, `${VAR}`, `{key="value"}` and `{}`.

use std::collections::{BTreeMap, BTreeSet};

/// What a placeholder or block marker did wrong, with its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    Unknown { line: usize, name: String },
    Block { line: usize, message: String },
}

/// The values one component's configs are rendered with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderContext {
    pub vars: BTreeMap<String, String>,
    /// Components that run in this lab (`# @if` keeps their blocks).
    pub present: BTreeSet<String>,
    /// Every component the spec knows (an `# @if` naming anything else is a typo).
    pub known: BTreeSet<String>,
}

impl RenderContext {
    /// Substitute placeholders in one line of text (args, env values).
    pub fn render_line(&self, text: &str) -> Result<String, TemplateError> {
        substitute(text, &self.vars, 1)
    }

    /// Render a whole config file: blocks first, then placeholders line by line.
    pub fn render(&self, text: &str) -> Result<String, TemplateError> {
        let mut out = String::with_capacity(text.len());
        // Each open block: (line it opened on, whether it is kept).
        let mut stack: Vec<(usize, bool)> = Vec::new();
        for (i, line) in text.split_inclusive('\n').enumerate() {
            let n = i + 1;
            let trimmed = line.trim();
            if let Some(rest) = trimmed.strip_prefix("# @if ") {
                let name = rest.trim();
                if !self.known.contains(name) {
                    return Err(TemplateError::Block {
                        line: n,
                        message: format!("`# @if {name}` names no component of the spec"),
                    });
                }
                stack.push((n, self.present.contains(name)));
                continue;
            }
            if trimmed == "# @end" {
                if stack.pop().is_none() {
                    return Err(TemplateError::Block {
                        line: n,
                        message: "`# @end` without a matching `# @if`".to_string(),
                    });
                }
                continue;
            }
            if trimmed.starts_with("# @") {
                return Err(TemplateError::Block {
                    line: n,
                    message: format!(
                        "unknown marker `{trimmed}`: use `# @if <component>` and `# @end`"
                    ),
                });
            }
            if stack.iter().all(|(_, keep)| *keep) {
                out.push_str(&substitute(line, &self.vars, n)?);
            }
        }
        if let Some((opened, _)) = stack.last() {
            return Err(TemplateError::Block {
                line: *opened,
                message: "`# @if` is never closed with `# @end`".to_string(),
            });
        }
        Ok(out)
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

fn substitute(
    text: &str,
    vars: &BTreeMap<String, String>,
    line: usize,
) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut prev: Option<char> = None;
    while let Some(pos) = rest.find('{') {
        let (before, from_brace) = rest.split_at(pos);
        out.push_str(before);
        let prev_char = before.chars().last().or(prev);
        let after = &from_brace[1..];
        if let Some(inner) = after.strip_prefix('{') {
            // `{{ ... }}`: a Go/Grafana template, copied verbatim.
            out.push_str("{{");
            rest = inner;
            prev = Some('{');
            continue;
        }
        let name_len = after
            .find(|c: char| !is_name_char(c))
            .unwrap_or(after.len());
        let name = &after[..name_len];
        let closes = after[name_len..].starts_with('}');
        if prev_char != Some('$') && closes && !name.is_empty() {
            match vars.get(name) {
                Some(value) => out.push_str(value),
                None => {
                    return Err(TemplateError::Unknown {
                        line,
                        name: name.to_string(),
                    });
                }
            }
            rest = &after[name_len + 1..];
            prev = Some('}');
        } else {
            out.push('{');
            rest = after;
            prev = Some('{');
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Unreplaced placeholders left in rendered text (an empty list means fully rendered).
pub fn leftover_placeholders(text: &str) -> Vec<String> {
    let empty = BTreeMap::new();
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut current = line.to_string();
        while let Err(TemplateError::Unknown { name, .. }) = substitute(&current, &empty, i + 1) {
            found.push(name.clone());
            current = current.replacen(&format!("{{{name}}}"), "", 1);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> RenderContext {
        let mut c = RenderContext::default();
        c.vars.insert("port".into(), "9090".into());
        c.vars.insert("addr.loki".into(), "127.0.0.1:3100".into());
        c.known.extend(["loki".to_string(), "tempo".to_string()]);
        c.present.insert("loki".into());
        c
    }

    #[test]
    fn substitutes_placeholders_and_leaves_lookalikes() {
        let text = "a {port} b {addr.loki} {{ $labels.x }} {{svc}} ${__value.raw} $${x} {le=\"1\"} {} { k: v }\n";
        let out = ctx().render(text).unwrap();
        assert_eq!(
            out,
            "a 9090 b 127.0.0.1:3100 {{ $labels.x }} {{svc}} ${__value.raw} $${x} {le=\"1\"} {} { k: v }\n"
        );
    }

    #[test]
    fn unknown_placeholder_names_its_line() {
        let err = ctx().render("ok\nx: {port.lokii}\n").unwrap_err();
        assert_eq!(
            err,
            TemplateError::Unknown {
                line: 2,
                name: "port.lokii".into()
            }
        );
    }

    #[test]
    fn if_blocks_keep_present_and_drop_absent_components() {
        let text = "a\n# @if loki\nloki\n# @end\n  # @if tempo\ntempo\n# @if loki\nnested\n# @end\n# @end\nz\n";
        assert_eq!(ctx().render(text).unwrap(), "a\nloki\nz\n");
    }

    #[test]
    fn block_errors_are_reported() {
        assert!(matches!(
            ctx().render("# @if lokii\n# @end\n"),
            Err(TemplateError::Block { line: 1, .. })
        ));
        assert!(matches!(
            ctx().render("# @if loki\n"),
            Err(TemplateError::Block { line: 1, .. })
        ));
        assert!(matches!(
            ctx().render("x\n# @end\n"),
            Err(TemplateError::Block { line: 2, .. })
        ));
        assert!(matches!(
            ctx().render("# @fi loki\n"),
            Err(TemplateError::Block { line: 1, .. })
        ));
    }

    #[test]
    fn leftovers_are_listed() {
        assert_eq!(
            leftover_placeholders("a {x} {{y}} {z.w}\n{q}"),
            vec!["x", "z.w", "q"]
        );
        assert!(leftover_placeholders("{{ $v }} ${a}").is_empty());
    }
}
