//! How `labtui query logql` prints log lines: time, the stream's labels in brief, the line.

use std::io::{self, Write};

use crate::lab::query::logs::LogEntry;

/// One row per line, newest first as Loki sent them.
pub fn table(lines: &[LogEntry], out: &mut impl Write) -> io::Result<()> {
    if lines.is_empty() {
        return writeln!(out, "no log lines");
    }
    for l in lines {
        let labels: Vec<String> = l.stream.iter().map(|(k, v)| format!("{k}={v}")).collect();
        writeln!(
            out,
            "{}  {}  {}",
            l.ts_ns,
            labels.join(","),
            l.line.escape_debug()
        )?;
    }
    Ok(())
}
