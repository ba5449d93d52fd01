//! Tests of code blocks, runnable query blocks, selection and speed.

use ratatui::style::{Modifier, Style};

use super::tests::{RICH, plain, style_of, texts};
use super::*;

const LESSON: &str = "Intro.\n\n```promql\nrate(http_requests_total[5m])\nsum(up)\n```\n\n```rust\nfn main() {}\n```\n\n> ```logql invalid\n> {job=\"x\"\n> ```\n\n- step\n\n  ```TraceQL\n  { span.http.status_code >= 500 }\n  ```\n";

#[test]
fn runnable_blocks_have_a_labelled_header_and_a_gutter() {
    let r = render(LESSON, 40, &MdTheme::plain());
    let lines = texts(&r);
    assert_eq!(
        lines[2],
        format!("─ promql ─ ▶ runnable [1] {}", "─".repeat(14))
    );
    assert_eq!(lines[3], "│ rate(http_requests_total[5m])");
    assert_eq!(lines[4], "│ sum(up)");
    assert_eq!(lines[6], format!("─ rust {}", "─".repeat(33)));
    assert!(has_bold(style_of(&r, "▶ runnable [1]")));
}

fn has_bold(style: Style) -> bool {
    style.add_modifier.contains(Modifier::BOLD)
}

#[test]
fn blocks_are_recorded_in_document_order_with_ranges_on_the_code_lines() {
    let r = render(LESSON, 60, &MdTheme::plain());
    let lines = texts(&r);
    let langs: Vec<_> = r.blocks.iter().map(|b| (b.lang, b.invalid)).collect();
    assert_eq!(
        langs,
        [
            (QueryLang::PromQL, false),
            (QueryLang::LogQL, true),
            (QueryLang::TraceQL, false),
        ]
    );
    for block in &r.blocks {
        assert_eq!(block.label_line + 1, block.first_line);
        let shown: Vec<&str> = lines[block.first_line..=block.last_line]
            .iter()
            .map(|l| l.trim_start().trim_start_matches("│ ").trim_start())
            .collect();
        assert_eq!(shown.join("\n"), block.code);
    }
    assert_eq!(r.blocks[0].code, "rate(http_requests_total[5m])\nsum(up)");
    assert_eq!(lines[r.blocks[1].first_line], "│ │ {job=\"x\"");
    assert_eq!(
        lines[r.blocks[2].first_line],
        "  │ { span.http.status_code >= 500 }"
    );
    assert!(lines[r.blocks[2].label_line].starts_with("  ─ TraceQL ─ ▶ runnable [3]"));
}

#[test]
fn invalid_blocks_are_labelled_broken_on_purpose() {
    let r = render("```promql invalid\nrate(x[5m]\n```", 50, &MdTheme::plain());
    assert!(r.blocks[0].invalid);
    assert!(texts(&r)[0].starts_with("─ promql ─ ✗ broken on purpose — fix it [1] ─"));
    let narrow = plain("```promql invalid\nrate(x[5m]\n```", 26);
    assert_eq!(narrow[0], "─ promql ─ ✗ fix it [1] ──");
    let not_a_flag = render("```promql invalidate\nup\n```", 50, &MdTheme::plain());
    assert!(!not_a_flag.blocks[0].invalid);
}

#[test]
fn long_code_lines_are_hard_broken_not_reflowed() {
    let md = "```promql\nsum(rate(a[5m])) by (route)\n\tx y\n```";
    let r = render(md, 14, &MdTheme::plain());
    let lines = texts(&r);
    assert_eq!(
        &lines[1..],
        ["│ sum(rate(a[5", "┆ m])) by (rou", "┆ te)", "│     x y"]
    );
    assert_eq!((r.blocks[0].first_line, r.blocks[0].last_line), (1, 4));
    assert_eq!(r.blocks[0].code, "sum(rate(a[5m])) by (route)\n\tx y");
}

#[test]
fn indented_and_untagged_code_is_shown_but_not_runnable() {
    let r = render("    indented\n\n```\nbare\n```", 20, &MdTheme::plain());
    assert_eq!(
        texts(&r),
        [
            "─".repeat(20).as_str(),
            "│ indented",
            "",
            "─".repeat(20).as_str(),
            "│ bare"
        ]
    );
    assert!(r.blocks.is_empty());
}

#[test]
fn empty_runnable_block_still_has_one_code_line() {
    let r = render("```logql\n```", 30, &MdTheme::plain());
    let b = &r.blocks[0];
    assert_eq!((b.first_line, b.last_line, b.code.as_str()), (1, 1, ""));
}

#[test]
fn window_highlights_only_the_selected_block() {
    let theme = MdTheme::plain();
    let r = render(LESSON, 40, &theme);
    let b = &r.blocks[0];
    let rows = r.window(0, r.lines.len(), Some(0), &theme);
    assert_eq!(rows.len(), r.lines.len());
    for (i, row) in rows.iter().enumerate() {
        let lit = !row.spans.is_empty()
            && row
                .spans
                .iter()
                .all(|s| s.style.add_modifier.contains(Modifier::REVERSED));
        assert_eq!(lit, b.contains(i), "line {i}");
        if lit {
            assert_eq!(row.width(), 40);
        }
    }
    let unselected = r.window(2, 3, None, &theme);
    let got: Vec<String> = unselected.iter().map(ToString::to_string).collect();
    assert_eq!(got, texts(&r)[2..5]);
    assert!(r.window(r.lines.len() + 5, 10, Some(99), &theme).is_empty());
}

#[test]
fn blocks_can_be_found_by_line() {
    let r = render(LESSON, 40, &MdTheme::plain());
    let b = r.blocks[1].clone();
    assert_eq!(r.block_at(b.label_line), Some(1));
    assert_eq!(r.block_at(b.last_line), Some(1));
    assert_eq!(r.block_at(0), None);
    assert_eq!(r.first_block_from(0), Some(0));
    assert_eq!(r.first_block_from(r.blocks[0].first_line), Some(1));
    assert_eq!(r.first_block_from(r.lines.len()), None);
}

#[test]
fn rich_sample_blocks_point_at_gutter_lines_at_every_width() {
    for width in 10..=120u16 {
        let r = render(RICH, width, &MdTheme::plain());
        let lines = texts(&r);
        for b in &r.blocks {
            for line in &lines[b.first_line..=b.last_line] {
                assert!(
                    line.contains("│ ") || line.contains("┆ "),
                    "{width}: {line}"
                );
            }
            assert!(lines[b.label_line].contains("─"), "{width}");
        }
    }
}

/// A lesson of `sections` sections of about 50 lines each, with every construct.
fn long_lesson(sections: usize) -> String {
    let section = "## Section\n\nSome text with `code`, *emphasis* and a [link](https://example.com/a/long/path) that\nwraps over several lines when the pane is narrow enough to need it, which it is.\n\n- item one with words\n- item two\n  - nested item\n    1. first\n    2. second\n\n> A quote that goes on for a while and wraps.\n\n```promql\nsum by (route) (rate(http_requests_total{job=\"shop\"}[5m]))\n```\n\n| a | b | c |\n|---|---|---|\n| 1 | two words | three more words |\n| 4 | 5 | 6 |\n\n```text\nplain code line one\nplain code line two\n```\n\nAnother paragraph with **strong** words, ~~struck~~ words and more words to fill\nthe line so that wrapping has to happen at most widths that a reader uses.\n\n---\n\n";
    section.repeat(sections)
}

#[test]
#[ignore = "timing report: cargo test --release --lib render_5000_line_lesson_report -- --ignored --nocapture"]
fn render_5000_line_lesson_report() {
    let per_section = long_lesson(1).lines().count();
    let sections = 5000_usize.div_ceil(per_section);
    let md = long_lesson(sections);
    let source_lines = md.lines().count();
    let theme = MdTheme::dark();
    for width in [40u16, 100, 160] {
        let _ = render(&md, width, &theme);
        let runs = 20u32;
        let start = std::time::Instant::now();
        let mut out = Rendered::default();
        for _ in 0..runs {
            out = render(&md, width, &theme);
        }
        let per_run = start.elapsed() / runs;
        println!(
            "{source_lines} source lines at width {width}: {} rendered lines, {} blocks, {per_run:?} per render",
            out.lines.len(),
            out.blocks.len()
        );
        assert!(source_lines >= 5000);
        assert_eq!(out.blocks.len(), sections);
    }
}
