//! Drawing the Faults pane's parameter editor: a row per parameter with its value, default,
//! allowed values, help and, when the catalogue refuses the value, why.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::lab::faults::{FaultDef, ParamDef, ParamKind, catalogue::format_number};

use crate::tui::app::App;
use crate::tui::view::{truncate, wrap_words};

use super::params::ParamEditor;

/// ```text
/// Parameters of latency → payments
///
/// ▶ ms           900▏
///     default 800 · 1 to 10000 ms · added delay per affected request
///   probability  2
///     default 1 · 0 to 1 ratio · fraction of requests delayed
///     ✗ fault `latency`: parameter `probability` = 2 is out of range; allowed: 0 to 1 ratio
/// ```
pub fn draw_editor(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    editor: &ParamEditor,
    fault: &FaultDef,
) {
    let theme = &app.theme;
    let width = usize::from(area.width);
    let target = editor.target.as_deref().unwrap_or(&fault.target.default);
    let mut lines = vec![
        Line::styled(
            truncate(&format!("Parameters of {} → {target}", fault.name), width),
            theme.title,
        ),
        Line::from(""),
    ];
    let name_width = editor
        .rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(0);
    let mut selected_end = lines.len();
    for (i, (row, def)) in editor.rows.iter().zip(&fault.params).enumerate() {
        let selected = i == editor.selected;
        let marker = if selected { "▶ " } else { "  " };
        let cursor = if selected { "▏" } else { "" };
        let value_style = if row.error.is_some() {
            theme.error
        } else if selected {
            theme.selected
        } else {
            ratatui::style::Style::new()
        };
        let room = width.saturating_sub(4 + name_width);
        lines.push(Line::from(vec![
            Span::styled(marker, theme.key),
            Span::raw(format!("{:<name_width$}  ", row.name)),
            Span::styled(
                truncate(&format!("{}{cursor}", row.value), room),
                value_style,
            ),
        ]));
        let about = format!(
            "default {} · {} · {}",
            shown(&def.default.text()),
            allowed(def),
            def.help
        );
        for text in wrap_words(&about, width.saturating_sub(4)) {
            lines.push(Line::styled(format!("    {text}"), theme.muted));
        }
        if let Some(error) = &row.error {
            for (j, text) in wrap_words(error, width.saturating_sub(6))
                .into_iter()
                .enumerate()
            {
                let lead = if j == 0 { "    ✗ " } else { "      " };
                lines.push(Line::styled(format!("{lead}{text}"), theme.error));
            }
        }
        if selected {
            selected_end = lines.len();
        }
    }
    let scroll = selected_end.saturating_sub(usize::from(area.height));
    let scroll = u16::try_from(scroll).unwrap_or(u16::MAX);
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), area);
}

/// What the catalogue accepts, in its own words and units.
fn allowed(def: &ParamDef) -> String {
    match def.kind {
        ParamKind::Number => {
            let lo = def.min.map_or("any".to_string(), format_number);
            let hi = def.max.map_or("any".to_string(), format_number);
            format!("{lo} to {hi} {}", def.unit)
        }
        ParamKind::Text if !def.choices.is_empty() => {
            let choices: Vec<String> = def.choices.iter().map(|c| shown(c)).collect();
            format!("one of {}", choices.join(", "))
        }
        ParamKind::Text => format!("text ({})", def.unit),
    }
}

/// An empty value written so it can be seen.
fn shown(text: &str) -> String {
    if text.is_empty() {
        "\"\"".to_string()
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::faults::{ParamValue, catalogue};

    #[test]
    fn allowed_values_come_from_the_catalogue() {
        let latency = catalogue().get("latency").expect("latency");
        assert_eq!(allowed(&latency.params[0]), "1 to 10000 ms");
        let slice = catalogue().get("slice_failure").expect("slice_failure");
        assert!(allowed(&slice.params[0]).starts_with("one of \"\", US, DE"));
        assert_eq!(shown(&ParamValue::Text(String::new()).text()), "\"\"");
    }
}
