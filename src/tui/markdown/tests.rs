//! Tests of the Markdown renderer: inline constructs, lists, quotes, tables and wrapping.

use ratatui::style::{Color, Modifier, Style};

use super::*;

/// The text of every rendered line.
pub(super) fn texts(r: &Rendered) -> Vec<String> {
    r.lines
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
        .collect()
}

pub(super) fn plain(md: &str, width: u16) -> Vec<String> {
    texts(&render(md, width, &MdTheme::plain()))
}

/// The style of the first span on any line whose text contains `needle`.
pub(super) fn style_of(r: &Rendered, needle: &str) -> Style {
    r.lines
        .iter()
        .flat_map(|l| &l.spans)
        .find(|s| s.content.contains(needle))
        .map(|s| s.style)
        .unwrap_or_else(|| panic!("no span contains {needle:?}"))
}

fn has(style: Style, modifier: Modifier) -> bool {
    style.add_modifier.contains(modifier)
}

/// A lesson using every construct, for the width property checks.
pub(super) const RICH: &str = r#"# Rate and counters

A paragraph with `inline code`, *emphasis*, **strong** and ~~struck~~ text, long enough to wrap. See [the docs](https://prometheus.io/docs/prometheus/latest/querying/functions/) or <https://grafana.com>. Averyveryverylongwordwithoutanyspacesthatmustbebrokenbycharacters here.
Soft break  
hard break. ![a graph of request rates](img.png) 漢字漢字漢字漢字 wide text.

## Lists

- first item that is quite long and therefore wraps onto a second line
- second
  - nested one with enough words to wrap at narrow widths
    1. deep
    2. deeper, also with some words to wrap around
- [x] done task
- [ ] open task

> quoted text that is long enough to wrap around the width of the pane
>
> > nested quote, which wraps as well when the pane is narrow
>
> ```promql
> sum by (route) (rate(http_requests_total[5m]))
> ```

---

### Third level

```PromQL
rate(http_requests_total{job="shop", route="/checkout", code=~"5.."}[5m]) / rate(http_requests_total[5m])
```

| name | value | notes |
|:-----|------:|:-----:|
| requests | 12 | a fairly long note that will have to wrap |
| errors | 3 | `x` |

1. Run the query:

   ```logql invalid
   {service_name="orders" |= "error"
   ```

2. Fix it.
"#;

#[test]
fn headings_get_rules_or_prefixes_and_distinct_styles() {
    let r = render(
        "# Title\n\n## Sub\n\n### Third\n\n#### Fourth",
        40,
        &MdTheme::plain(),
    );
    assert_eq!(
        texts(&r),
        [
            "Title",
            "═════",
            "",
            "Sub",
            "───",
            "",
            "### Third",
            "",
            "#### Fourth"
        ]
    );
    assert!(has(style_of(&r, "Title"), Modifier::BOLD));
    assert!(has(style_of(&r, "### Third"), Modifier::ITALIC));
    let dark = render("# Title\n\n## Sub", 40, &MdTheme::dark());
    assert_eq!(style_of(&dark, "Title").fg, Some(Color::LightCyan));
    assert_ne!(style_of(&dark, "Title"), style_of(&dark, "Sub"));
}

#[test]
fn heading_rule_matches_the_widest_wrapped_line() {
    assert_eq!(
        plain("# Alerting on symptoms", 12),
        ["Alerting on", "symptoms", "═══════════"]
    );
}

#[test]
fn inline_styles_combine() {
    let r = render(
        "Plain *em* **strong** ~~gone~~ `code` ***both***",
        60,
        &MdTheme::plain(),
    );
    assert_eq!(texts(&r), ["Plain em strong gone code both"]);
    assert!(has(style_of(&r, "em"), Modifier::ITALIC));
    assert!(has(style_of(&r, "strong"), Modifier::BOLD));
    assert!(has(style_of(&r, "gone"), Modifier::CROSSED_OUT));
    let both = style_of(&r, "both");
    assert!(has(both, Modifier::BOLD) && has(both, Modifier::ITALIC));
    assert!(!has(style_of(&r, "Plain"), Modifier::BOLD));
    let dark = render("Run `rate(x[5m])` now", 60, &MdTheme::dark());
    assert_eq!(style_of(&dark, "rate(").fg, Some(Color::LightYellow));
}

#[test]
fn links_show_their_url_once() {
    let r = render(
        "See [the docs](https://prometheus.io) and <https://grafana.com> or <ops@example.com>.",
        100,
        &MdTheme::plain(),
    );
    assert_eq!(
        texts(&r),
        ["See the docs (https://prometheus.io) and https://grafana.com or ops@example.com."]
    );
    assert!(has(style_of(&r, "the docs"), Modifier::UNDERLINED));
    assert!(!has(
        style_of(&r, "(https://prometheus.io)"),
        Modifier::UNDERLINED
    ));
}

#[test]
fn images_become_placeholders() {
    assert_eq!(
        plain("Look: ![p99 latency](graph.png)", 40),
        ["Look: [image: p99 latency]"]
    );
}

#[test]
fn rules_span_the_width() {
    assert_eq!(
        plain("a\n\n---\n\nb", 12),
        ["a", "", "─".repeat(12).as_str(), "", "b"]
    );
}

#[test]
fn soft_breaks_join_and_hard_breaks_split() {
    assert_eq!(
        plain("one\ntwo  \nthree\\\nfour<br>five", 40),
        ["one two", "three", "four", "five"]
    );
}

#[test]
fn paragraphs_wrap_at_word_boundaries_and_break_long_words() {
    assert_eq!(
        plain("the quick brown fox jumps over", 10),
        ["the quick", "brown fox", "jumps over"]
    );
    assert_eq!(
        plain("abcdefghijklmnop qr", 6),
        ["abcdef", "ghijkl", "mnop", "qr"]
    );
}

#[test]
fn wide_characters_count_two_columns() {
    let lines = plain("漢字漢字漢字 ok", 5);
    assert_eq!(lines, ["漢字", "漢字", "漢字", "ok"]);
}

#[test]
fn nested_lists_indent_and_number_correctly() {
    let md = "- alpha beta gamma delta\n- two\n  - inner\n    1. one\n    2. two\n- [x] done\n- [ ] todo\n";
    assert_eq!(
        plain(md, 14),
        [
            "• alpha beta",
            "  gamma delta",
            "• two",
            "  ◦ inner",
            "    1. one",
            "    2. two",
            "• [x] done",
            "• [ ] todo",
        ]
    );
}

#[test]
fn ordered_lists_keep_their_start_number_and_widen_markers() {
    let md = "9. nine\n10. ten words wrap\n";
    assert_eq!(
        plain(md, 12),
        ["9. nine", "10. ten", "    words", "    wrap"]
    );
}

#[test]
fn loose_lists_keep_blank_lines_and_indent_later_paragraphs() {
    let md = "1. one\n\n2. two\n\n   more about two\n";
    assert_eq!(
        plain(md, 40),
        ["1. one", "", "2. two", "", "   more about two"]
    );
}

#[test]
fn list_marker_wraps_with_its_item_and_lists_are_separated_from_text() {
    let md = "Intro:\n\n- a\n- b\n\nAfter.";
    assert_eq!(plain(md, 40), ["Intro:", "", "• a", "• b", "", "After."]);
    let dark = render(md, 40, &MdTheme::dark());
    assert_eq!(style_of(&dark, "•").fg, Some(Color::LightCyan));
}

#[test]
fn block_quotes_prefix_every_line_and_nest() {
    let md = "> quoted words that wrap\n>\n> > inner\n\nout";
    assert_eq!(
        plain(md, 14),
        ["│ quoted words", "│ that wrap", "│", "│ │ inner", "", "out"]
    );
    let dark = render(md, 40, &MdTheme::dark());
    assert!(has(style_of(&dark, "quoted"), Modifier::ITALIC));
}

#[test]
fn alert_quotes_get_a_label() {
    let r = render("> [!TIP]\n> Use rate().", 40, &MdTheme::plain());
    assert_eq!(texts(&r), ["│ Tip", "│ Use rate()."]);
    assert!(has(style_of(&r, "Tip"), Modifier::BOLD));
}

#[test]
fn tables_size_columns_to_content_with_a_bold_header() {
    let md = "| name | rps |\n|------|----:|\n| orders | 12 |\n| payments | 3 |\n";
    let r = render(md, 40, &MdTheme::plain());
    assert_eq!(
        texts(&r),
        [
            "name     │ rps",
            "─────────┼────",
            "orders   │  12",
            "payments │   3",
        ]
    );
    assert!(has(style_of(&r, "name"), Modifier::BOLD));
    assert!(!has(style_of(&r, "orders"), Modifier::BOLD));
}

#[test]
fn tables_shrink_to_fit_and_wrap_cells() {
    let md = "| k | description |\n|---|---|\n| a | one two three four five six |\n";
    let lines = plain(md, 16);
    assert_eq!(
        lines,
        [
            "k │ description",
            "──┼─────────────",
            "a │ one two",
            "  │ three four",
            "  │ five six",
        ]
    );
}

#[test]
fn tables_too_wide_for_the_pane_are_cut_with_an_ellipsis() {
    let md = "| aaaaaaaa | bbbbbbbb | cccccccc |\n|---|---|---|\n| 1 | 2 | 3 |\n";
    let r = render(md, 20, &MdTheme::plain());
    assert!(r.lines.iter().all(|l| l.width() <= 20));
    assert!(texts(&r)[0].ends_with('…'));
    assert!(texts(&r)[0].starts_with("aaaaaa"));
}

#[test]
fn front_matter_and_html_comments_are_not_shown_but_other_html_is() {
    let md = "+++\nid = \"x\"\n+++\n\nText.\n\n<!-- note to authors -->\n\n<div>raw</div>\n";
    assert_eq!(plain(md, 40), ["Text.", "", "<div>raw</div>"]);
}

#[test]
fn every_line_fits_every_width_and_output_is_deterministic() {
    for width in 10..=120u16 {
        let r = render(RICH, width, &MdTheme::dark());
        for (i, line) in r.lines.iter().enumerate() {
            assert!(
                line.width() <= usize::from(width),
                "width {width}, line {i} is {} wide: {:?}",
                line.width(),
                texts(&r)[i]
            );
        }
        assert_eq!(r.blocks.len(), 3, "width {width}");
        let again = render(RICH, width, &MdTheme::dark());
        assert_eq!(r.lines, again.lines);
        assert_eq!(r.blocks, again.blocks);
    }
}

#[test]
fn tiny_widths_do_not_panic_and_still_fit() {
    for width in 0..10u16 {
        let r = render(RICH, width, &MdTheme::plain());
        let max = usize::from(width).max(1);
        assert!(r.lines.iter().all(|l| l.width() <= max), "width {width}");
        assert_eq!(r.blocks.len(), 3);
    }
}

#[test]
fn no_text_is_lost_when_wrapping() {
    let words = |lines: &[String]| -> Vec<String> {
        lines
            .iter()
            .flat_map(|l| l.split_whitespace())
            .map(str::to_owned)
            .collect()
    };
    let md = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu";
    let wide = words(&plain(md, 120));
    for width in 10..=40 {
        assert_eq!(words(&plain(md, width)), wide, "width {width}");
    }
}
#[test]
fn footnotes_show_their_label_and_their_text_where_defined() {
    let md = "Counters reset[^r].\n\n[^r]: On restart, so use rate().\n";
    assert_eq!(
        plain(md, 40),
        ["Counters reset[r].", "", "[r] On restart, so use rate()."]
    );
}

#[test]
fn lists_and_code_nest_inside_quotes_and_items() {
    let md = "1. Run:\n\n   ```promql\n   up\n   ```\n\n2. Then:\n\n   > - a\n   > - b\n";
    assert_eq!(
        plain(md, 30),
        [
            "1. Run:",
            "",
            "   ─ promql ─ ▶ runnable [1] ─",
            "   │ up",
            "",
            "2. Then:",
            "",
            "   │ ◦ a",
            "   │ ◦ b",
        ]
    );
}
