//! What the content model reads from Markdown: runnable query blocks and hidden sections.
//!
//! Both use pulldown-cmark, like the TUI's renderer, so a heading or fence inside a code block
//! never counts and runnable blocks are numbered in the order the learner sees them.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::lab::query::QueryLang;

/// The info-string flag marking a deliberately broken query ("fix this query").
pub const INVALID_FLAG: &str = "invalid";

/// A fenced block tagged `promql`, `logql` or `traceql` that the learner can run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunnableQuery {
    pub lang: QueryLang,
    /// The query text, trimmed.
    pub code: String,
    /// 1-based line of the opening fence within the Markdown.
    pub line: usize,
    /// Flagged `invalid`: meant not to parse.
    pub invalid: bool,
}

/// Runnable query blocks of `markdown`, in document order.
pub fn runnable_queries(markdown: &str) -> Vec<RunnableQuery> {
    let mut found = Vec::new();
    let mut current: Option<RunnableQuery> = None;
    for (event, range) in parser(markdown) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let mut words = info.split_whitespace();
                let lang = words.next().and_then(QueryLang::from_tag);
                current = lang.map(|lang| RunnableQuery {
                    lang,
                    code: String::new(),
                    line: line_of(markdown, range.start),
                    invalid: words.any(|w| w.eq_ignore_ascii_case(INVALID_FLAG)),
                });
            }
            Event::Text(text) => {
                if let Some(query) = current.as_mut() {
                    query.code.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(mut query) = current.take() {
                    query.code = query.code.trim().to_owned();
                    found.push(query);
                }
            }
            _ => {}
        }
    }
    found
}

/// A Markdown document cut at a level-2 heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sections<'a> {
    /// Everything before the heading, without leading blank lines or trailing whitespace.
    pub before: &'a str,
    /// Everything after the heading line, trimmed the same way.
    pub after: &'a str,
    /// 1-based line of the heading.
    pub heading_line: usize,
}

/// Cuts `markdown` at the first heading written exactly `## {title}`.
pub fn split_at_heading<'a>(markdown: &'a str, title: &str) -> Option<Sections<'a>> {
    headings(markdown)
        .into_iter()
        .find(|h| h.level == HeadingLevel::H2 && h.atx && h.text == title)
        .map(|h| Sections {
            before: trim_blank(&markdown[..h.start]),
            after: trim_blank(&markdown[h.end..]),
            heading_line: line_of(markdown, h.start),
        })
}

/// A heading that was probably meant to be `## {title}` (other level, case or style):
/// its line and source text, to tell the author what to change.
pub fn near_miss_heading(markdown: &str, title: &str) -> Option<(usize, String)> {
    headings(markdown)
        .into_iter()
        .find(|h| h.text.eq_ignore_ascii_case(title))
        .map(|h| {
            let source = markdown[h.start..h.end].lines().next().unwrap_or("").trim();
            (line_of(markdown, h.start), source.to_owned())
        })
}

struct Heading {
    level: HeadingLevel,
    /// Written with `#` marks rather than underlined.
    atx: bool,
    text: String,
    start: usize,
    end: usize,
}

fn headings(markdown: &str) -> Vec<Heading> {
    let mut found = Vec::new();
    let mut current: Option<Heading> = None;
    for (event, range) in parser(markdown) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                current = Some(Heading {
                    level,
                    atx: markdown[range.start..].trim_start().starts_with('#'),
                    text: String::new(),
                    start: range.start,
                    end: range.end,
                });
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some(heading) = current.as_mut() {
                    heading.text.push_str(&text);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(mut heading) = current.take() {
                    heading.text = heading.text.trim().to_owned();
                    found.push(heading);
                }
            }
            _ => {}
        }
    }
    found
}

fn parser(markdown: &str) -> impl Iterator<Item = (Event<'_>, std::ops::Range<usize>)> {
    Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .into_offset_iter()
}

/// Drops leading blank lines (keeping the first line's indentation) and trailing whitespace.
pub fn trim_blank(text: &str) -> &str {
    let first_content = text
        .split_inclusive('\n')
        .take_while(|line| line.trim().is_empty())
        .map(str::len)
        .sum::<usize>();
    text[first_content..].trim_end()
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "# Rates\n\nText.\n\n```promql\nrate(http_requests_total[5m])\n```\n\n```PromQL invalid\nrate(http_requests_total)\n```\n\n```rust\nfn main() {}\n```\n\n- item\n\n  ```logql\n  {service_name=\"shop\"}\n  ```\n\n~~~traceql extra\n{ duration > 1s }\n~~~\n";

    #[test]
    fn finds_runnable_blocks_with_lines_flags_and_trimmed_code() {
        let found = runnable_queries(DOC);
        let summary: Vec<_> = found
            .iter()
            .map(|q| (q.lang, q.line, q.invalid, q.code.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                (QueryLang::PromQL, 5, false, "rate(http_requests_total[5m])"),
                (QueryLang::PromQL, 9, true, "rate(http_requests_total)"),
                (QueryLang::LogQL, 19, false, "{service_name=\"shop\"}"),
                (QueryLang::TraceQL, 23, false, "{ duration > 1s }"),
            ]
        );
    }

    #[test]
    fn splits_at_an_exact_level_two_heading_only() {
        let md = "Briefing.\n\n```text\n## Solution\n```\n\n## Solution\n\nIt was payments.\n";
        let s = split_at_heading(md, "Solution").unwrap();
        assert_eq!(s.before, "Briefing.\n\n```text\n## Solution\n```");
        assert_eq!(s.after, "It was payments.");
        assert_eq!(s.heading_line, 7);

        assert_eq!(split_at_heading("### Solution\nx\n", "Solution"), None);
        assert_eq!(split_at_heading("## solution\nx\n", "Solution"), None);
        assert_eq!(
            split_at_heading("Solution\n--------\nx\n", "Solution"),
            None
        );
    }

    #[test]
    fn near_misses_are_reported_with_their_line() {
        let md = "Briefing.\n\n### solution\n\nx\n";
        assert_eq!(
            near_miss_heading(md, "Solution"),
            Some((3, "### solution".to_owned()))
        );
        assert_eq!(near_miss_heading("no heading\n", "Solution"), None);
    }
}
