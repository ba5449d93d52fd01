//! How `labtui query traceql` prints search hits: one row per trace.

use std::io::{self, Write};

use crate::lab::query::traces::TraceHit;

/// One row per trace: id, root service and span, duration, matched spans, start.
pub fn table(hits: &[TraceHit], out: &mut impl Write) -> io::Result<()> {
    if hits.is_empty() {
        return writeln!(out, "no traces");
    }
    for h in hits {
        writeln!(
            out,
            "{}  {}  {}  {}  {}  {}",
            h.trace_id,
            h.root_service.as_deref().unwrap_or("-"),
            h.root_name.as_deref().unwrap_or("-"),
            h.duration_ms.map_or("<1".to_string(), |d| d.to_string()),
            h.matched,
            h.start_ns
        )?;
    }
    Ok(())
}
