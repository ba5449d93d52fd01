//! Drawing: reads the App, never changes it. The top-level layout, the lists, the reader,
//! the status bar and popups, and the helpers every pane draws with.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, BorderType, Borders, Clear, Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState,
    Wrap,
};

use crate::lab::content::ItemKind;
use crate::lab::progress::Status;

use super::app::{App, Focus, RightPane};
use super::keymap::{self, Context};
use super::layout::{MIN_HEIGHT, MIN_WIDTH};
use super::navigator::TABS;
use super::panes::{challenge, faults, interview, query, stack};
use super::widgets::render_dashboard;

mod guard;

pub use guard::guard;

/// ```text
/// ┌ Lessons │ Challenges │ Drills ┐┌ Title ───────────────────────┐
/// │ ✓ Three pillars            ★ ││ rendered Markdown           ▲│
/// │ ◐ PromQL basics           ★★ ││ ─ promql ─ ▶ runnable [1]   █│
/// │ / filter▏                     ││                             ▼│
/// └───────────────────────────────┘└──────────────────────────────┘
///  lab: not started │ notice                    Tab switch · ? help
/// ```
pub fn view(app: &App, frame: &mut Frame) {
    draw(app, frame);
    guard(frame.buffer_mut());
}

fn draw(app: &App, frame: &mut Frame) {
    let area = frame.area();
    let areas = app.areas_for(area.width, area.height);
    if areas.too_small {
        draw_too_small(frame, area);
        return;
    }
    if areas.navigator.width > 0 {
        draw_navigator(app, frame, areas.navigator);
    }
    match app.right {
        RightPane::Reader => draw_reader(app, frame, areas.reader),
        RightPane::Stack => stack::draw(app, frame, areas.reader),
        RightPane::Faults => faults::draw(app, frame, areas.reader),
        RightPane::Query => {
            if areas.query.is_some() {
                draw_reader(app, frame, areas.reader);
            }
            query::view::draw_query(app, frame, areas.query_pane());
        }
    }
    draw_status(app, frame, areas.status);
    if let Some(scroll) = app.help {
        draw_help(app, frame, area, scroll);
    }
    if let Some(confirm) = &app.confirm {
        draw_confirm(app, frame, area, &confirm.question);
    }
}

fn draw_too_small(frame: &mut Frame, area: Rect) {
    let text = format!(
        "Terminal too small: labtui needs at least {MIN_WIDTH}×{MIN_HEIGHT}, this one is {}×{}.\nEnlarge the window, or press q to quit.",
        area.width, area.height
    );
    frame.render_widget(
        Paragraph::new(text)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        area,
    );
}

/// A pane's border: thick and highlighted while it has focus.
pub(crate) fn pane_block<'a>(app: &App, focused: bool, title: Line<'a>) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(if focused {
            app.theme.border_focused
        } else {
            app.theme.border
        })
        .title(title)
}

fn draw_navigator(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let nav = &app.navigator;
    let title = Line::from(Span::styled(
        format!(" {} {} ", tab_label(nav.tab), nav.count(nav.tab)),
        theme.title,
    ));
    let mut numbers = vec![];
    for (i, kind) in TABS.iter().enumerate() {
        let style = if *kind == nav.tab {
            theme.title
        } else {
            theme.muted
        };
        numbers.push(Span::styled(format!(" {}", i + 1), style));
    }
    numbers.push(Span::raw(" "));
    let focused = app.focus == Focus::Navigator && app.help.is_none();
    let mut block = pane_block(app, focused, title).title(Line::from(numbers).right_aligned());
    // A chosen learning path names itself on the bottom border.
    if let Some(path) = nav.path() {
        let room = usize::from(area.width).saturating_sub(4);
        block = block.title_bottom(Span::styled(
            format!(" {} ", truncate(&format!("path: {}", path.title), room)),
            theme.title,
        ));
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let filter = nav.filter();
    let show_filter = filter.editing || !filter.text.is_empty();
    let list_height = usize::from(inner.height.saturating_sub(u16::from(show_filter)));
    let visible = nav.visible();
    let selected = nav.selected();
    let first = selected.saturating_sub(list_height.saturating_sub(1));
    let width = usize::from(inner.width);
    let mut lines: Vec<Line> = visible
        .iter()
        .enumerate()
        .skip(first)
        .take(list_height)
        .map(|(i, entry)| {
            let status = app.progress.item(&entry.id).status;
            let (mark, mark_style) = match status {
                Status::Completed => ("✓ ", theme.done),
                Status::InProgress => ("◐ ", theme.in_progress),
                Status::NotStarted => ("  ", theme.muted),
            };
            // A challenge tried shows its best score out of its points.
            let best = app.progress.item(&entry.id).best_score;
            let meta = match best {
                Some(best) if entry.points > 0 => {
                    format!(" {}/{}", best.round(), entry.points)
                }
                _ => format!(" {}m", entry.minutes),
            };
            let room = width.saturating_sub(2 + meta.chars().count());
            let title = truncate(&entry.title, room);
            let pad = room.saturating_sub(title.chars().count());
            let line = Line::from(vec![
                Span::styled(mark, mark_style),
                Span::raw(title),
                Span::raw(" ".repeat(pad)),
                Span::styled(meta, theme.muted),
            ]);
            if i == selected && focused {
                line.style(theme.selected)
            } else if i == selected {
                line.style(Style::new().add_modifier(ratatui::style::Modifier::BOLD))
            } else {
                line
            }
        })
        .collect();
    if visible.is_empty() {
        let empty = if nav.count(nav.tab) == 0 && nav.path().is_some() {
            format!("No {} in this path.", nav.tab.folder())
        } else if nav.count(nav.tab) == 0 {
            format!("No {} found.", nav.tab.folder())
        } else {
            "Nothing matches the filter.".to_string()
        };
        lines.push(Line::styled(empty, theme.muted));
    }
    let list_area = Rect {
        height: list_height as u16,
        ..inner
    };
    frame.render_widget(Paragraph::new(lines), list_area);
    if show_filter {
        let cursor = if filter.editing { "▏" } else { "" };
        let filter_line = Line::from(vec![
            Span::styled("/", theme.key),
            Span::raw(format!("{}{cursor}", filter.text)),
        ]);
        let row = Rect {
            y: inner.y + inner.height.saturating_sub(1),
            height: 1,
            ..inner
        };
        frame.render_widget(Paragraph::new(filter_line), row);
    }
}

fn tab_label(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Lesson => "Lessons",
        ItemKind::Challenge => "Challenges",
        ItemKind::Drill => "Drills",
    }
}

fn draw_reader(app: &App, frame: &mut Frame, area: Rect) {
    if app.interview_shown() {
        interview::view::draw(app, frame, area);
        return;
    }
    if app.runner_shown() {
        challenge::view::draw(app, frame, area);
        return;
    }
    let theme = &app.theme;
    let focused = app.focus == Focus::Reader && app.help.is_none();
    let Some(doc) = &app.reader else {
        let block = pane_block(app, false, Line::from(" Reader "));
        let text = vec![
            Line::from(""),
            Line::from("Pick a lesson, challenge or drill on the left and press Enter."),
            Line::from(""),
            Line::styled(
                "Lessons and drills work without the lab; runnable queries need it.",
                theme.muted,
            ),
        ];
        frame.render_widget(
            Paragraph::new(text).block(block).wrap(Wrap { trim: true }),
            area,
        );
        return;
    };
    let total = doc.rendered.lines.len();
    let mut title = vec![Span::styled(format!(" {} ", doc.title), theme.title)];
    if !doc.rendered.blocks.is_empty() {
        let selected = doc
            .selected_block
            .map_or("-".to_string(), |i| (i + 1).to_string());
        title.push(Span::styled(
            format!("query {selected}/{} ", doc.rendered.blocks.len()),
            theme.muted,
        ));
    }
    let block = pane_block(app, focused, Line::from(title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let text_area = Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(2),
        ..inner
    };
    let height = usize::from(text_area.height);
    // A drill's dashboard sits above the text and scrolls away with it.
    let lead = doc.lead();
    let total = total + lead;
    let above = doc.dashboard.as_ref().map_or(0, |d| {
        render_dashboard(d, theme, doc.scroll, text_area, frame.buffer_mut())
    });
    let text_area = Rect {
        y: text_area.y + above,
        height: text_area.height - above,
        ..text_area
    };
    let lines = doc.rendered.window(
        doc.scroll.saturating_sub(lead),
        usize::from(text_area.height),
        doc.selected_block,
        &theme.markdown,
    );
    frame.render_widget(Paragraph::new(lines), text_area);
    if total > height {
        let mut state = ScrollbarState::new(total.saturating_sub(height)).position(doc.scroll);
        frame.render_stateful_widget(
            Scrollbar::new(ScrollbarOrientation::VerticalRight),
            area.inner(ratatui::layout::Margin::new(0, 1)),
            &mut state,
        );
    }
}

fn draw_status(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let mut left = vec![Span::raw(format!(" {} ", app.lab_status()))];
    if app.content_problems > 0 {
        left.push(Span::raw("│ "));
        left.push(Span::styled(
            format!("{} content problems (labtui check) ", app.content_problems),
            theme.error,
        ));
    }
    if let Some(notice) = &app.notice {
        left.push(Span::raw("│ "));
        let style = if notice.is_error {
            theme.error
        } else {
            theme.notice
        };
        left.push(Span::styled(
            crate::lab::untrusted::escape(&notice.text).into_owned(),
            style,
        ));
    }
    // "? help" first so it survives a narrow footer, then the focused pane's keys, then
    // the other global ones.
    let mut pairs = keymap::hints(&app.contexts());
    if let Some(pos) = pairs.iter().position(|(keys, _)| keys == "?") {
        let help = pairs.remove(pos);
        pairs.insert(0, help);
    }
    let hints: Vec<String> = pairs
        .into_iter()
        .map(|(keys, word)| format!("{keys} {word}"))
        .collect();
    let left_width: usize = left.iter().map(|s| s.content.chars().count()).sum();
    let room = usize::from(area.width).saturating_sub(left_width + 1);
    let mut right = String::new();
    for hint in hints {
        let candidate = if right.is_empty() {
            hint
        } else {
            format!("{right} · {hint}")
        };
        if candidate.chars().count() > room {
            break;
        }
        right = candidate;
    }
    let pad = room.saturating_sub(right.chars().count());
    left.push(Span::raw(" ".repeat(pad)));
    left.push(Span::raw(right));
    left.push(Span::raw(" "));
    frame.render_widget(
        Paragraph::new(Line::from(left)).style(theme.status_bar),
        area,
    );
}

/// A long question (a fault with its parameters) wraps; the popup grows to keep `y`/`n` in view.
fn draw_confirm(app: &App, frame: &mut Frame, area: Rect, question: &str) {
    let theme = &app.theme;
    let width = (question.chars().count() as u16 + 6).clamp(30, area.width.saturating_sub(4));
    let mut text: Vec<Line> = wrap_words(question, usize::from(width.saturating_sub(4)))
        .into_iter()
        .map(Line::from)
        .collect();
    text.push(Line::from(""));
    text.push(Line::from(vec![
        Span::styled("y", theme.key),
        Span::raw(" yes   "),
        Span::styled("n", theme.key),
        Span::raw(" no"),
    ]));
    let height = (text.len() as u16 + 2).min(area.height);
    let popup = Rect::new(
        area.x + (area.width.saturating_sub(width)) / 2,
        area.y + area.height.saturating_sub(height) / 2,
        width,
        height,
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(theme.border_focused);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(text)
            .block(block)
            .alignment(Alignment::Center),
        popup,
    );
}

fn draw_help(app: &App, frame: &mut Frame, area: Rect, scroll: u16) {
    let theme = &app.theme;
    let mut lines = Vec::new();
    for context in Context::ALL {
        lines.push(Line::styled(context.title(), theme.title));
        for (keys, help) in keymap::help_rows(context) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<16}"), theme.key),
                Span::raw(help),
            ]));
        }
        lines.push(Line::from(""));
    }
    let width = area.width.saturating_sub(8).min(76);
    let height = area.height.saturating_sub(4);
    let popup = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    let max_scroll = (lines.len() as u16).saturating_sub(height.saturating_sub(2));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(theme.border_focused)
        .title(Line::styled(" Keys — ? or Esc to close ", theme.title));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll.min(max_scroll), 0)),
        popup,
    );
}

/// `text` on one line of `room` characters: what a terminal would act on made visible
/// (`lab::untrusted::escape`: most of what panes show came from a server or a log), then
/// cut with `…` when it did not fit.
pub(crate) fn truncate(text: &str, room: usize) -> String {
    let text = crate::lab::untrusted::escape(text);
    if text.chars().count() <= room {
        text.to_string()
    } else if room == 0 {
        String::new()
    } else {
        let mut out: String = text.chars().take(room - 1).collect();
        out.push('…');
        out
    }
}

/// `text` in lines of at most `width` characters, broken between words (a longer word is
/// cut), so a popup can be sized to it before drawing.
pub(crate) fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        let used = line.chars().count();
        if used > 0 && used + 1 + word.len() <= width {
            line.push(' ');
            line.extend(&word);
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut line));
        }
        while word.len() > width {
            lines.push(word.drain(..width).collect());
        }
        line.extend(&word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::wrap_words;

    #[test]
    fn wrap_words_breaks_between_words_and_cuts_long_ones() {
        assert_eq!(wrap_words("a bb ccc dd", 6), ["a bb", "ccc dd"]);
        assert_eq!(wrap_words("abcdefgh x", 3), ["abc", "def", "gh", "x"]);
        assert_eq!(wrap_words("", 5), [""]);
    }
}
