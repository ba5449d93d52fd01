//! Draws the interview in the reader's place: the question with its context and clock,
//! the answer form, the feedback, and the summary.
//!
//! ```text
//! ┏ Interview 2/3: rate vs irate ──────────────────────── 03:12 left ┓
//! ┃ level 1 · concept · about 5 min                                  ┃
//! ┃ recorded dashboard (a dashboard drill), the context, the question ┃
//! ┃ (feedback: score, covered ✓ / missed ✗, example answer, points)   ┃
//! ┃ ┌ Your answer: rate-vs-irate ─────────────────────────────────┐  ┃
//! ┃ │ irate uses the last two samples▏                             │  ┃
//! ┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛
//! ```

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::lab::content::Drill;
use crate::lab::interview::{self, Answered, minutes_seconds};
use crate::lab::untrusted;

use super::super::super::app::{App, Focus};
use super::super::super::markdown;
use super::super::super::view::{pane_block, wrap_words};
use super::super::super::widgets::render_dashboard;
use super::super::challenge::update::clock;
use super::super::challenge::view::draw_answer_form;
use super::{Interview, Stage};

/// Rows the answer form takes at most, borders included.
const FORM_HEIGHT: u16 = 8;
/// Below this width the summary puts each drill's title under its score.
const NARROW_TITLE: usize = 20;

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let Some(iv) = &app.interview.session else {
        return;
    };
    let theme = &app.theme;
    let focused = app.focus == Focus::Reader && app.help.is_none();
    let (left, right) = titles(app, iv);
    let block = pane_block(app, focused, Line::from(Span::styled(left, theme.title)))
        .title(Line::from(Span::styled(right, theme.title)).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let inner = Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(2),
        ..inner
    };
    let form_height = if iv.form.is_some() {
        FORM_HEIGHT.min(inner.height)
    } else {
        0
    };
    let body_area = Rect {
        height: inner.height - form_height,
        ..inner
    };
    let lines = body(app, iv, body_area.width);
    let lead = lead(iv);
    let total = lead + lines.len();
    let max = total.saturating_sub(usize::from(body_area.height));
    let scroll = usize::from(iv.scroll).min(max);
    let above = iv.dashboard.as_ref().filter(|_| lead > 0).map_or(0, |d| {
        render_dashboard(d, theme, scroll, body_area, frame.buffer_mut())
    });
    let text_area = Rect {
        y: body_area.y + above,
        height: body_area.height - above,
        ..body_area
    };
    let skip = scroll.saturating_sub(lead);
    let visible: Vec<Line> = lines
        .into_iter()
        .skip(skip)
        .take(usize::from(text_area.height))
        .collect();
    frame.render_widget(Paragraph::new(visible), text_area);
    if let Some(form) = &iv.form {
        let form_area = Rect {
            y: body_area.y + body_area.height,
            height: form_height,
            ..inner
        };
        draw_answer_form(
            app,
            frame,
            form_area,
            form,
            &format!(" Your answer: {} ", form.question),
            "Enter grades · Ctrl-j new line · Esc keeps a draft",
        );
    }
}

/// How far the body scrolls in a text area `width` × `height` (the form closed).
pub fn max_scroll(app: &App, iv: &Interview, width: u16, height: usize) -> u16 {
    let total = lead(iv) + body(app, iv, width).len();
    u16::try_from(total.saturating_sub(height)).unwrap_or(u16::MAX)
}

/// Rows of the recorded dashboard above the question (while it is asked).
fn lead(iv: &Interview) -> usize {
    match (&iv.dashboard, iv.stage) {
        (Some(d), Stage::Asking) => d.height(),
        _ => 0,
    }
}

fn titles(app: &App, iv: &Interview) -> (String, String) {
    let title = iv.drill().map_or("", |d| d.title.as_str());
    let n = iv.drills.len();
    match iv.stage {
        Stage::Asking => {
            let (time, over) = iv.clock(app.now);
            let right = if over {
                format!(" {} over time ", clock(time))
            } else {
                format!(" {} left ", clock(time))
            };
            (
                format!(" Interview {}/{n}: {title} ", iv.current + 1),
                right,
            )
        }
        Stage::Feedback => {
            let right = iv.graded().map_or(String::new(), |a| {
                format!(" {:.0}% {} ", a.score(), verdict_word(a))
            });
            (
                format!(" Interview {}/{n}: {title} ", iv.current + 1),
                right,
            )
        }
        Stage::Summary => {
            let sums = interview::summarize(&iv.answered);
            (
                " Interview: summary ".to_string(),
                format!(" {} of {} passed ", sums.passed, sums.asked),
            )
        }
    }
}

fn verdict_word(a: &Answered) -> &'static str {
    if a.passed() { "pass" } else { "not yet" }
}

/// The body's lines, wrapped to `width`.
fn body(app: &App, iv: &Interview, width: u16) -> Vec<Line<'static>> {
    match (iv.stage, iv.drill()) {
        (Stage::Asking, Some(drill)) => asking(app, iv, drill, width),
        (Stage::Feedback, Some(drill)) => match iv.graded() {
            Some(a) => feedback(app, iv, drill, a, width),
            None => Vec::new(),
        },
        _ => summary(app, iv, width),
    }
}

fn asking(app: &App, iv: &Interview, drill: &Drill, width: u16) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let w = usize::from(width);
    let mut out = vec![Line::styled(
        format!(
            "level {} · {} · about {} min",
            drill.level,
            kind_name(drill),
            drill.minutes
        ),
        theme.muted,
    )];
    out.push(Line::from(""));
    let context = drill.context.trim();
    if !context.is_empty() {
        out.extend(markdown::render(context, width.max(10), &theme.markdown).lines);
        out.push(Line::from(""));
    }
    out.push(Line::styled("Question", theme.title));
    for line in drill.question.trim().lines() {
        out.extend(plain(line, w, "", "", Style::default()));
    }
    out.push(Line::from(""));
    if !iv.draft.trim().is_empty() {
        out.push(Line::styled("Your draft (not sent yet):", theme.title));
        for line in iv.draft.lines() {
            out.extend(plain(line, w, "  ", "  ", Style::default()));
        }
        out.push(Line::from(""));
    }
    if iv.form.is_none() {
        out.extend(plain(
            "Enter: answer · Esc: end the interview (graded answers are kept)",
            w,
            "",
            "",
            theme.muted,
        ));
    }
    out
}

fn feedback(
    app: &App,
    iv: &Interview,
    drill: &Drill,
    a: &Answered,
    width: u16,
) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let w = usize::from(width);
    let verdict_style = if a.passed() { theme.done } else { theme.error };
    let mut head = format!(
        "Score: {:.0}% — {} (the pass mark is {:.0}%) · answered in {}",
        a.score(),
        verdict_word(a),
        drill.pass * 100.0,
        minutes_seconds(a.took)
    );
    if a.over_time() {
        head.push_str(&format!(
            ", over the time ({} allowed)",
            minutes_seconds(a.limit)
        ));
    }
    let mut out = plain(&head, w, "", "", verdict_style);
    for f in &a.verdict.feedback {
        out.extend(plain(
            &untrusted::escape(f),
            w,
            "  ",
            "  ",
            Style::default(),
        ));
    }
    if !a.verdict.matched.is_empty() {
        out.push(Line::styled("Covered:", theme.title));
        for c in &a.verdict.matched {
            out.extend(plain(&format!("✓ {c}"), w, "  ", "    ", theme.done));
        }
    }
    if !a.verdict.missed.is_empty() {
        out.push(Line::styled("Missed:", theme.title));
        for c in &a.verdict.missed {
            out.extend(plain(&format!("✗ {c}"), w, "  ", "    ", theme.error));
        }
    }
    out.push(Line::from(""));
    out.push(Line::styled("Your answer:", theme.title));
    for line in a.answer.lines() {
        out.extend(plain(&untrusted::escape(line), w, "  ", "  ", theme.muted));
    }
    let example = drill.example_answer.trim();
    if !example.is_empty() {
        out.push(Line::from(""));
        out.push(Line::styled("An example answer", theme.title));
        out.extend(markdown::render(example, width.max(10), &theme.markdown).lines);
    }
    if !drill.discussion.is_empty() {
        out.push(Line::from(""));
        out.push(Line::styled("Worth discussing", theme.title));
        for d in &drill.discussion {
            out.extend(plain(&format!("- {d}"), w, "  ", "    ", Style::default()));
        }
    }
    out.push(Line::from(""));
    let next = if iv.current + 1 < iv.drills.len() {
        "n/Enter: next question"
    } else {
        "n/Enter: the summary"
    };
    out.extend(plain(
        &format!("{next} · j/k scroll · Esc: end the interview here"),
        w,
        "",
        "",
        theme.muted,
    ));
    out
}

fn summary(app: &App, iv: &Interview, width: u16) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let w = usize::from(width);
    let mut out = vec![Line::styled(
        format!("{:>5}  {:<7}  {:>7}  drill", "score", "result", "time"),
        theme.muted,
    )];
    for a in &iv.answered {
        let head = format!(
            "{:>4.0}%  {:<7}  {:>7}  ",
            a.score(),
            verdict_word(a),
            minutes_seconds(a.took)
        );
        let mut title = a.title.clone();
        if a.over_time() {
            title.push_str(" · over time");
        }
        let style = if a.passed() { theme.done } else { theme.error };
        let indent = head.chars().count();
        if w.saturating_sub(indent) < NARROW_TITLE {
            // Too narrow for a column of titles: each title under its numbers.
            out.push(Line::styled(head.trim_end().to_string(), style));
            out.extend(plain(&title, w, "      ", "      ", Style::default()));
            continue;
        }
        let mut rows = wrap_words(&title, w - indent).into_iter();
        out.push(Line::from(vec![
            Span::styled(head, style),
            Span::raw(rows.next().unwrap_or_default()),
        ]));
        let pad = " ".repeat(indent);
        out.extend(rows.map(|r| Line::from(format!("{pad}{r}"))));
    }
    out.push(Line::styled("─".repeat(w), theme.border));
    let sums = interview::summarize(&iv.answered);
    let mut total = format!(
        "{} of {} passed · mean score {:.0}% · {} answering",
        sums.passed,
        sums.asked,
        sums.mean,
        minutes_seconds(sums.took)
    );
    if sums.over_time > 0 {
        total.push_str(&format!(" · {} over time", sums.over_time));
    }
    out.extend(plain(&total, w, "", "", theme.title));
    match iv.unasked() {
        0 => {}
        1 => out.extend(plain(
            "Ended early: 1 question was not asked.",
            w,
            "",
            "",
            theme.muted,
        )),
        n => out.extend(plain(
            &format!("Ended early: {n} questions were not asked."),
            w,
            "",
            "",
            theme.muted,
        )),
    }
    out.push(Line::from(""));
    out.extend(plain(
        "Each answer is in your progress. Enter/Esc: back to the list · I on the Drills list starts another",
        w,
        "",
        "",
        theme.muted,
    ));
    out
}

fn kind_name(drill: &Drill) -> &'static str {
    use crate::lab::content::DrillKind;
    match drill.kind {
        DrillKind::Concept => "concept",
        DrillKind::ExplainThisDashboard => "explain this dashboard",
        DrillKind::HowWouldYouDiagnose => "how would you diagnose",
    }
}

/// `text` wrapped to `width`, the first line after `first`, the others after `rest`.
fn plain(text: &str, width: usize, first: &str, rest: &str, style: Style) -> Vec<Line<'static>> {
    let room = width.saturating_sub(first.chars().count().max(rest.chars().count()));
    wrap_words(text, room.max(1))
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let prefix = if i == 0 { first } else { rest };
            Line::styled(format!("{prefix}{l}"), style)
        })
        .collect()
}
