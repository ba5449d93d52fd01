//! Draws the runner and the exercises in the reader's place.
//!
//! ```text
//! ┏ Paged: checkout is slow ───────────────────────── 13:42 left ┓
//! ┃ attempt 2 · running · latency on payments · hints 1 of 3 (−2) ┃
//! ┃ ▶ 1 root-cause-service  choice  10  payments                  ┃
//! ┃   2 charge-p95          number  15  —                          ┃
//! ┃ ─────────────────────────────────────────────────────────────── ┃
//! ┃ the selected question, its answer, feedback and hints (or the   ┃
//! ┃ briefing, or the start's progress)                              ┃
//! ┃ ┌ Answer: charge-p95 (number, in s) ────────────────────────┐   ┃
//! ┃ │ 0.9▏                                                       │   ┃
//! ┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛
//! ```

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::lab::challenge::SessionState;
use crate::lab::content::Expectation;
use crate::lab::untrusted;

use super::super::super::app::{App, Focus};
use super::super::super::markdown;
use super::super::super::view::{pane_block, truncate};
use super::form::{AnswerForm, Input};
use super::update::{clock, trim_points};
use super::{Exercises, Front, Item, Phase, Run, Sheet, Show};

/// Rows the answer form takes at most, borders included.
const FORM_HEIGHT: u16 = 8;

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let focused = app.focus == Focus::Reader && app.help.is_none();
    match app.challenge.front {
        Front::Run => {
            if let Some(run) = &app.challenge.run {
                draw_run(app, frame, area, run, focused);
            }
        }
        Front::Exercises => {
            if let Some(ex) = &app.challenge.exercises {
                draw_exercises(app, frame, area, ex, focused);
            }
        }
    }
}

fn draw_run(app: &App, frame: &mut Frame, area: Rect, run: &Run, focused: bool) {
    let theme = &app.theme;
    let right = match (&run.session, run.phase) {
        (Some(s), Phase::Running | Phase::Starting) => {
            format!(" {} left ", clock(s.remaining(app.now)))
        }
        (_, Phase::Submitting) => " grading… ".to_string(),
        (Some(s), Phase::Ended) => match &s.score {
            Some(score) => format!(
                " {} of {} points ",
                trim_points(score.total),
                trim_points(score.max)
            ),
            None => format!(" {} ", s.state),
        },
        (None, _) => " starting… ".to_string(),
    };
    let title = Line::from(Span::styled(
        format!(" Challenge: {} ", run.challenge.title),
        theme.title,
    ));
    let block = pane_block(app, focused, title)
        .title(Line::from(Span::styled(right, theme.title)).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let inner = pad(inner);

    let mut head = summary_lines(app, run);
    head.push(Line::from(""));
    let details = match (run.phase, run.show) {
        (_, Show::Briefing) => briefing_lines(app, run, inner.width),
        (Phase::Starting, _) => log_lines(app, &run.log),
        _ => run_question_lines(app, run),
    };
    draw_sheet(app, frame, inner, head, &run.sheet, details, |item| {
        run_mark(run, item)
    });
}

/// The attempt, its state, faults and hints; once graded, a second line with the score.
fn summary_lines(app: &App, run: &Run) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let Some(s) = &run.session else {
        return vec![Line::styled("injecting the faults…", theme.muted)];
    };
    let faults = if s.faults.is_empty() {
        "no faults".to_string()
    } else {
        s.faults
            .iter()
            .map(|f| format!("{} on {}", f.name, f.target))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let state = match run.phase {
        Phase::Starting => "starting".to_string(),
        Phase::Submitting => "grading".to_string(),
        _ => s.state.to_string(),
    };
    let mut text = format!(
        "attempt {} · {state} · {faults} · hints {}/{}",
        s.attempt,
        s.hints.len(),
        run.challenge.hints.len()
    );
    if s.hint_cost() > 0 {
        text.push_str(&format!(" (−{})", s.hint_cost()));
    }
    let mut lines = vec![Line::styled(text, theme.muted)];
    if let Some(score) = &s.score {
        lines.push(Line::styled(
            format!(
                "score: {} earned − {} for hints = {} of {} · took {}",
                trim_points(score.earned),
                trim_points(score.hint_cost),
                trim_points(score.total),
                trim_points(score.max),
                clock(std::time::Duration::from_secs(score.elapsed_secs))
            ),
            theme.title,
        ));
    } else if s.state != SessionState::Running {
        lines.push(Line::styled(
            format!(
                "took {}",
                clock(std::time::Duration::from_secs(s.elapsed_secs(app.now)))
            ),
            theme.muted,
        ));
    }
    lines
}

/// The list of questions, a rule, the details (scrolled) and the open form.
fn draw_sheet(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    mut lines: Vec<Line<'static>>,
    sheet: &Sheet,
    details: Vec<Line<'static>>,
    mark: impl Fn(&Item) -> (String, Style),
) {
    let theme = &app.theme;
    let width = usize::from(area.width);
    let id_width = sheet
        .items
        .iter()
        .map(|i| i.id.chars().count())
        .max()
        .unwrap_or(0)
        .min(28);
    for (n, item) in sheet.items.iter().enumerate() {
        let selected = n == sheet.selected;
        let pointer = if selected { "▶ " } else { "  " };
        let (mark, mark_style) = mark(item);
        let head = format!(
            "{pointer}{} {:<id_width$}  {:<6} {:>3}  ",
            n + 1,
            truncate(&item.id, id_width),
            item.expect.kind_name(),
            item.points
        );
        let answer = sheet
            .answers
            .get(&item.id)
            .map_or("—".to_string(), |a| one_line(a));
        let room = width.saturating_sub(head.chars().count() + mark.chars().count() + 1);
        let style = if selected {
            theme.selected
        } else {
            Style::default()
        };
        lines.push(Line::from(vec![
            Span::styled(head, style),
            Span::styled(format!("{mark:<5}"), mark_style),
            Span::styled(truncate(&answer, room), style),
        ]));
    }
    lines.push(Line::styled("─".repeat(width), theme.border));
    let top = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .min(area.height);
    frame.render_widget(
        Paragraph::new(lines),
        Rect {
            height: top,
            ..area
        },
    );

    let form_height = if sheet.form.is_some() {
        FORM_HEIGHT.min(area.height.saturating_sub(top))
    } else {
        0
    };
    let details_area = Rect {
        y: area.y + top,
        height: area.height.saturating_sub(top + form_height),
        ..area
    };
    frame.render_widget(
        Paragraph::new(details)
            .wrap(Wrap { trim: false })
            .scroll((sheet.scroll, 0)),
        details_area,
    );
    if let Some(form) = &sheet.form {
        let form_area = Rect {
            y: details_area.y + details_area.height,
            height: form_height,
            ..area
        };
        let item = sheet.items.iter().find(|i| i.id == form.question);
        draw_form(app, frame, form_area, form, item);
    }
}

fn run_mark(run: &Run, item: &Item) -> (String, Style) {
    mark_of(
        run.sheet.results.get(&item.id),
        run.sheet.answers.contains_key(&item.id),
    )
}

fn mark_of(
    result: Option<&crate::lab::challenge::QuestionResult>,
    answered: bool,
) -> (String, Style) {
    match result {
        Some(r) if r.correct => (format!("✓ {}", trim_points(r.earned)), Style::default()),
        Some(r) => (format!("✗ {}", trim_points(r.earned)), Style::default()),
        None if answered => ("·".to_string(), Style::default()),
        None => (" ".to_string(), Style::default()),
    }
}

fn run_question_lines(app: &App, run: &Run) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let Some(item) = run.sheet.selected_item() else {
        return Vec::new();
    };
    let mut out = question_lines(app, item, run.sheet.answers.get(&item.id));
    if let Some(r) = run.sheet.results.get(&item.id) {
        out.push(Line::from(""));
        out.extend(feedback_lines(app, r));
    }
    let hints = run.hints();
    if !hints.is_empty() {
        out.push(Line::from(""));
        for (index, cost, text) in hints {
            out.push(Line::styled(
                format!("Hint {} (−{cost})", index + 1),
                theme.title,
            ));
            out.extend(
                text.lines()
                    .map(|l| Line::from(untrusted::escape(l).into_owned())),
            );
        }
    }
    if run.phase == Phase::Ended {
        out.push(Line::from(""));
        out.extend(
            run.log
                .iter()
                .filter(|l| l.starts_with("could not"))
                .map(|l| Line::styled(l.clone(), theme.error)),
        );
        out.push(Line::styled(
            "v: the solution, with its queries runnable · S in the briefing starts a new attempt",
            theme.muted,
        ));
    } else if run.phase == Phase::Running {
        out.push(Line::from(""));
        let hint = match run.next_hint_cost() {
            Some(cost) => format!("H: a hint (costs {cost})"),
            None => "no hints left".to_string(),
        };
        out.push(Line::styled(
            format!("Enter: answer · {hint} · S: submit · e: the Query pane · B: the briefing"),
            theme.muted,
        ));
    }
    out
}

/// The question's prompt, what its answer looks like, and the learner's answer.
fn question_lines(app: &App, item: &Item, answer: Option<&String>) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let mut out: Vec<Line<'static>> = paragraphs(&item.prompt)
        .into_iter()
        .map(|p| Line::from(untrusted::escape(&p).into_owned()))
        .collect();
    match &item.expect {
        Expectation::Choice { options, .. } => {
            let several = item.expect.choice_answers().len() > 1;
            out.push(Line::styled(
                if several { "Pick every right option:" } else { "Pick one:" },
                theme.muted,
            ));
            for (n, o) in options.iter().enumerate() {
                out.push(Line::from(format!("  {}. {}", n + 1, untrusted::escape(o))));
            }
        }
        Expectation::Number { unit, .. } => out.push(Line::styled(
            match unit {
                Some(u) => format!("A number, in {u}."),
                None => "A number.".to_string(),
            },
            theme.muted,
        )),
        Expectation::Query { lang, window, .. } => out.push(Line::styled(
            format!("A {lang} query; compared with the reference over {window}. Ctrl-y in the form takes the {lang} tab's query."),
            theme.muted,
        )),
        Expectation::Text { .. } => out.push(Line::styled(
            "Free text, graded by the concepts it covers.",
            theme.muted,
        )),
    }
    out.push(Line::from(""));
    match answer {
        Some(a) => {
            out.push(Line::styled("Your answer:", theme.title));
            out.extend(
                a.lines()
                    .map(|l| Line::from(format!("  {}", untrusted::escape(l)))),
            );
        }
        None => out.push(Line::styled("Not answered yet.", theme.muted)),
    }
    out
}

fn feedback_lines(app: &App, r: &crate::lab::challenge::QuestionResult) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let verdict = if r.correct { "Right" } else { "Not right" };
    let mut out = vec![Line::styled(
        format!(
            "{verdict}: {} of {} points",
            trim_points(r.earned),
            trim_points(r.max)
        ),
        if r.correct { theme.done } else { theme.error },
    )];
    out.extend(
        r.feedback
            .iter()
            .map(|f| Line::from(format!("  {}", untrusted::escape(f)))),
    );
    out
}

fn briefing_lines(app: &App, run: &Run, width: u16) -> Vec<Line<'static>> {
    let rendered = markdown::render(&run.challenge.briefing, width.max(10), &app.theme.markdown);
    rendered.lines
}

fn log_lines(app: &App, log: &[String]) -> Vec<Line<'static>> {
    let mut out: Vec<Line<'static>> = log.iter().map(|l| Line::from(l.clone())).collect();
    out.push(Line::styled(
        "The clock already runs. B shows the briefing while you wait.",
        app.theme.muted,
    ));
    out
}

fn draw_exercises(app: &App, frame: &mut Frame, area: Rect, ex: &Exercises, focused: bool) {
    let theme = &app.theme;
    let right = format!(" {} of {} passed ", ex.passed(), ex.sheet.items.len());
    let block = pane_block(
        app,
        focused,
        Line::from(Span::styled(
            format!(" Exercises: {} ", ex.title),
            theme.title,
        )),
    )
    .title(Line::from(Span::styled(right, theme.title)).right_aligned());
    let inner = pad(block.inner(area));
    frame.render_widget(block, area);
    let head = vec![
        Line::styled(
            "Graded as you answer; every one passed completes the lesson.",
            theme.muted,
        ),
        Line::from(""),
    ];
    let details = exercise_lines(app, ex);
    draw_sheet(app, frame, inner, head, &ex.sheet, details, |item| {
        mark_of(
            ex.sheet.results.get(&item.id),
            ex.sheet.answers.contains_key(&item.id),
        )
    });
}

fn exercise_lines(app: &App, ex: &Exercises) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let Some(item) = ex.sheet.selected_item() else {
        return Vec::new();
    };
    let mut out = question_lines(app, item, ex.sheet.answers.get(&item.id));
    if ex.grading.as_deref() == Some(item.id.as_str()) {
        out.push(Line::styled("grading…", theme.muted));
    }
    if let Some(r) = ex.sheet.results.get(&item.id) {
        out.push(Line::from(""));
        out.extend(feedback_lines(app, r));
    }
    let shown = ex.hints_shown.get(&item.id).copied().unwrap_or(0);
    let hints = ex.hints.get(&item.id).map_or(&[][..], Vec::as_slice);
    for (n, hint) in hints.iter().take(shown).enumerate() {
        out.push(Line::from(""));
        out.push(Line::styled(format!("Hint {}", n + 1), theme.title));
        out.extend(
            hint.trim()
                .lines()
                .map(|l| Line::from(untrusted::escape(l).into_owned())),
        );
    }
    if ex.solution_shown.contains(&item.id)
        && let Some(solution) = ex.solutions.get(&item.id)
    {
        out.push(Line::from(""));
        out.push(Line::styled("Solution", theme.title));
        out.extend(
            solution
                .trim()
                .lines()
                .map(|l| Line::from(untrusted::escape(l).into_owned())),
        );
    }
    out.push(Line::from(""));
    out.push(Line::styled(
        format!(
            "Enter: answer · H: a hint ({} of {}) · v: the solution after a try · e: the Query pane",
            shown.min(hints.len()),
            hints.len()
        ),
        theme.muted,
    ));
    out
}

fn draw_form(app: &App, frame: &mut Frame, area: Rect, form: &AnswerForm, item: Option<&Item>) {
    let kind = item.map_or("", |i| i.expect.kind_name());
    draw_answer_form(
        app,
        frame,
        area,
        form,
        &format!(" Answer: {} ({kind}) ", form.question),
        "Enter saves · Ctrl-j new line · Esc cancels",
    );
}

/// An answer form in its box: `title` on the border, `text_note` under a text answer (what
/// Enter does there). The interview draws its answers with it too.
pub fn draw_answer_form(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    form: &AnswerForm,
    title: &str,
    text_note: &str,
) {
    let theme = &app.theme;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused)
        .title(Line::from(Span::styled(title.to_string(), theme.title)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    match &form.input {
        Input::Choice {
            options,
            cursor,
            ticked,
            multi,
        } => {
            let visible = usize::from(inner.height.saturating_sub(1)).max(1);
            let first = cursor.saturating_sub(visible.saturating_sub(1));
            let mut lines: Vec<Line> = options
                .iter()
                .enumerate()
                .skip(first)
                .take(visible)
                .map(|(n, o)| {
                    let tick = match (*multi, ticked.get(n).copied().unwrap_or(false)) {
                        (true, true) => "[x] ",
                        (true, false) => "[ ] ",
                        (false, _) => "",
                    };
                    let text = format!(
                        "{}{tick}{}. {}",
                        if n == *cursor { "▶ " } else { "  " },
                        n + 1,
                        untrusted::escape(o)
                    );
                    if n == *cursor {
                        Line::styled(text, theme.selected)
                    } else {
                        Line::from(text)
                    }
                })
                .collect();
            lines.push(Line::styled(
                if *multi {
                    "↑/↓ move · Space or a number ticks · Enter saves · Esc cancels"
                } else {
                    "↑/↓ or a number picks · Enter saves · Esc cancels"
                },
                theme.muted,
            ));
            frame.render_widget(Paragraph::new(lines), inner);
        }
        Input::Number {
            area: text,
            problem,
            ..
        } => {
            // One row for the number, the rest for what is wrong with it.
            let field = Rect {
                height: inner.height.min(1),
                ..inner
            };
            let below = Rect {
                y: inner.y + field.height,
                height: inner.height.saturating_sub(field.height),
                ..inner
            };
            frame.render_widget(text, field);
            let note = match problem {
                Some(p) => Line::styled(p.clone(), theme.error),
                None => Line::styled("Enter saves · Esc cancels", theme.muted),
            };
            frame.render_widget(Paragraph::new(note).wrap(Wrap { trim: true }), below);
        }
        Input::Query { area: text, lang } => {
            let rows = split_last(inner);
            frame.render_widget(text, rows.0);
            frame.render_widget(
                Paragraph::new(Line::styled(
                    format!("Enter saves · Ctrl-j new line · Ctrl-y takes the {lang} tab's query · Esc cancels"),
                    theme.muted,
                )),
                rows.1,
            );
        }
        Input::Text { area: text } => {
            let rows = split_last(inner);
            frame.render_widget(text, rows.0);
            frame.render_widget(
                Paragraph::new(Line::styled(text_note.to_string(), theme.muted)),
                rows.1,
            );
        }
    }
}

/// The area without its last row, and that row.
fn split_last(area: Rect) -> (Rect, Rect) {
    let body = area.height.saturating_sub(1);
    (
        Rect {
            height: body,
            ..area
        },
        Rect {
            y: area.y + body,
            height: area.height.min(1),
            ..area
        },
    )
}

/// One space of padding left and right.
fn pad(area: Rect) -> Rect {
    Rect {
        x: area.x + 1,
        width: area.width.saturating_sub(2),
        ..area
    }
}

/// Text as written in front matter, hard-wrapped, as one line per paragraph (the
/// Paragraph widget wraps them to the pane); a blank line separates paragraphs.
fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (n, para) in text.trim().split("\n\n").enumerate() {
        if n > 0 {
            out.push(String::new());
        }
        out.push(para.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    out
}

/// The first line of an answer, control characters escaped.
fn one_line(text: &str) -> String {
    let first = text.lines().next().unwrap_or("");
    let more = if text.lines().nth(1).is_some() {
        " …"
    } else {
        ""
    };
    format!("{}{more}", untrusted::escape(first))
}
