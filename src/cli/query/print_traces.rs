//! How `labtui query traceql` prints search hits: one aligned row per trace, its text
//! escaped, since span names and services come from whatever sent the spans.

use std::io::{self, Write};

use crate::lab::query::traces::TraceHit;
use crate::lab::untrusted::escape;

const HEADER: [&str; 6] = [
    "TRACE ID",
    "ROOT SERVICE",
    "ROOT SPAN",
    "DURATION",
    "SPANS",
    "START",
];

/// One row per trace: id, root service and span, duration, matched spans, start (UTC).
pub fn table(hits: &[TraceHit], out: &mut impl Write) -> io::Result<()> {
    if hits.is_empty() {
        return writeln!(out, "no traces");
    }
    let rows: Vec<[String; 6]> = hits
        .iter()
        .map(|h| {
            [
                escape(&h.trace_id).into_owned(),
                h.root_service
                    .as_deref()
                    .map_or("-".into(), |s| escape(s).into_owned()),
                h.root_name
                    .as_deref()
                    .map_or("-".into(), |s| escape(s).into_owned()),
                duration(h.duration_ms),
                h.matched.to_string(),
                start_time(h.start_ns),
            ]
        })
        .collect();
    let mut widths = HEADER.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let header = HEADER.map(String::from);
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<w$}"));
            }
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// `12ms`, `1.255s`; Tempo leaves out durations under a millisecond: `<1ms`.
fn duration(ms: Option<u64>) -> String {
    match ms {
        None => "<1ms".into(),
        Some(ms) if ms < 1000 => format!("{ms}ms"),
        Some(ms) => {
            let frac = format!("{:03}", ms % 1000);
            let frac = frac.trim_end_matches('0');
            if frac.is_empty() {
                format!("{}s", ms / 1000)
            } else {
                format!("{}.{frac}s", ms / 1000)
            }
        }
    }
}

/// Unix ns as `2026-12-02T06:37:12.508Z`.
fn start_time(ns: i64) -> String {
    chrono::DateTime::from_timestamp_nanos(ns)
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::query::tempo::decode;

    fn text(hits: &[TraceHit]) -> String {
        let mut buf = Vec::new();
        table(hits, &mut buf).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(duration(None), "<1ms");
        assert_eq!(duration(Some(0)), "0ms");
        assert_eq!(duration(Some(999)), "999ms");
        assert_eq!(duration(Some(1000)), "1s");
        assert_eq!(duration(Some(1255)), "1.255s");
        assert_eq!(duration(Some(61_500)), "61.5s");
        assert_eq!(
            start_time(1_796_193_432_508_252_453),
            "2026-12-02T06:37:12.508Z"
        );
    }

    #[test]
    fn hits_are_an_aligned_table() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/real-api/tempo/shop-search-slow.json");
        let hits = decode::search(&std::fs::read_to_string(path).unwrap()).unwrap();
        let out = text(&hits[..2]);
        assert_eq!(
            out,
            "TRACE ID                          ROOT SERVICE  ROOT SPAN       DURATION  SPANS  START\n\
             85aa04de5c1a8108b0da60f4c01998b   storefront    POST /checkout  1.255s    5      2026-12-02T06:37:12.508Z\n\
             7c85213a48d3458e942d0d18ad4b2ec5  storefront    POST /checkout  1.081s    5      2026-12-02T06:36:45.830Z\n"
        );
        assert_eq!(text(&[]), "no traces\n");
    }

    #[test]
    fn span_text_cannot_drive_the_terminal() {
        let hit = TraceHit {
            trace_id: "ab".into(),
            root_service: None,
            root_name: Some("GET /\x1b[2J".into()),
            start_ns: 0,
            duration_ms: None,
            matched: 1,
            spans: Vec::new(),
        };
        let out = text(&[hit]);
        assert!(!out.contains('\x1b'));
        assert!(out.contains("GET /\\e[2J"));
        assert!(
            out.lines()
                .nth(1)
                .unwrap()
                .starts_with("ab        -             GET /\\e[2J")
        );
    }
}
