//! How `labtui query logql` prints log lines: time (UTC, to the millisecond), level,
//! service and the line, newest first; or CSV with the same columns.

use std::io::{self, Write};

use chrono::{DateTime, SecondsFormat};

use crate::lab::query::logs::LogEntry;
use crate::lab::untrusted::escape;

/// One row per line in the order given (newest first from a backward query). The line is
/// escaped: a log line must not move the cursor or retitle the terminal.
///
/// ```text
/// TIME                      LEVEL  SERVICE   LINE
/// 2026-12-02T06:38:13.254Z  error  payments  {"level":"error",...}
/// ```
pub fn table(lines: &[LogEntry], out: &mut impl Write) -> io::Result<()> {
    if lines.is_empty() {
        return writeln!(out, "no log lines");
    }
    let rows: Vec<[String; 4]> = lines.iter().map(row).collect();
    let width = |i: usize, header: &str| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .max()
            .unwrap_or(0)
            .max(header.len())
    };
    let (time_w, level_w, service_w) = (width(0, "TIME"), width(1, "LEVEL"), width(2, "SERVICE"));
    writeln!(
        out,
        "{:time_w$}  {:level_w$}  {:service_w$}  LINE",
        "TIME", "LEVEL", "SERVICE"
    )?;
    for [time, level, service, line] in &rows {
        writeln!(
            out,
            "{time:time_w$}  {level:level_w$}  {service:service_w$}  {line}"
        )?;
    }
    Ok(())
}

/// CSV: `time,level,service,line`, one row per line, quoted where needed.
pub fn csv(lines: &[LogEntry], out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "time,level,service,line")?;
    for l in lines {
        let [time, level, service, _] = row(l);
        let cells = [time.as_str(), level.as_str(), service.as_str(), &l.line];
        let quoted: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        writeln!(out, "{}", quoted.join(","))?;
    }
    Ok(())
}

/// A nanosecond timestamp as RFC 3339 in UTC with milliseconds.
pub fn format_time(ts_ns: i64) -> String {
    DateTime::from_timestamp_nanos(ts_ns).to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn row(l: &LogEntry) -> [String; 4] {
    [
        format_time(l.ts_ns),
        escape(l.level().as_deref().unwrap_or("-")).into_owned(),
        escape(l.service().unwrap_or("-")).into_owned(),
        escape(&l.line).into_owned(),
    ]
}

/// RFC 4180: quote a cell holding a comma, quote or line break, doubling its quotes. The
/// line itself is kept as stored, so a spreadsheet shows what Loki holds.
fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::query::Labels;

    fn entry(ts_ns: i64, level: &str, line: &str) -> LogEntry {
        let mut stream = Labels::new();
        stream.insert("service_name".into(), "payments".into());
        if !level.is_empty() {
            stream.insert("level".into(), level.into());
        }
        LogEntry {
            ts_ns,
            stream,
            structured: Labels::new(),
            parsed: Labels::new(),
            line: line.into(),
        }
    }

    fn text(f: impl Fn(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut out = Vec::new();
        f(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn table_aligns_time_level_service_and_escapes_the_line() {
        let lines = [
            entry(1_796_193_493_254_020_248, "error", "boom\x1b[2J"),
            entry(1_796_193_433_000_000_000, "", "plain"),
        ];
        let t = text(|o| table(&lines, o));
        let rows: Vec<&str> = t.lines().collect();
        assert_eq!(rows[0], "TIME                      LEVEL  SERVICE   LINE");
        assert_eq!(
            rows[1],
            "2026-12-02T06:38:13.254Z  error  payments  boom\\e[2J"
        );
        assert_eq!(rows[2], "2026-12-02T06:37:13.000Z  -      payments  plain");
        assert_eq!(text(|o| table(&[], o)), "no log lines\n");
    }

    #[test]
    fn csv_quotes_what_needs_it() {
        let lines = [entry(0, "info", r#"{"msg":"a, b"}"#)];
        assert_eq!(
            text(|o| csv(&lines, o)),
            "time,level,service,line\n1970-01-01T00:00:00.000Z,info,payments,\"{\"\"msg\"\":\"\"a, b\"\"}\"\n"
        );
    }
}
