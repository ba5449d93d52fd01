//! The trace search results: one row per trace a TraceQL search matched, sortable by
//! duration or start, with an error marker.

use chrono::FixedOffset;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::cells::{clock, fit, paint, put, width};
use crate::lab::query::traces::TraceHit;
use crate::lab::untrusted::escape;
use crate::tui::theme::Theme;

const MARK: &str = "›";
/// Marks a trace with a failed matched span; a glyph, so it reads without colour.
const ERROR_MARK: &str = "✗";
/// Trace ids are cut to this many hex digits when the full id does not fit.
const SHORT_ID: usize = 8;

/// The orders the trace list offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TraceSort {
    /// Slowest first, the usual question.
    #[default]
    DurationDesc,
    DurationAsc,
    StartNewest,
    StartOldest,
}

/// One hit shaped for drawing, escaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceListRow {
    pub trace_id: String,
    pub service: String,
    pub name: String,
    pub duration: String,
    pub matched: String,
    pub start: String,
    /// Any returned span has an attribute `status` whose value is `error` (any case), as
    /// `select(status)` or a `{ status = error }` query returns it. Spans Tempo did not
    /// return cannot be seen, so this can miss errors; it never invents one.
    pub error: bool,
    start_ns: i64,
    /// Sub-millisecond traces (no `durationMs`) sort as 0.
    duration_ms: u64,
}

/// Search hits ready to draw, built once per result; sorting reorders an index.
#[derive(Debug, Clone)]
pub struct TraceListModel {
    rows: Vec<TraceListRow>,
    order: Vec<usize>,
    sort: Option<TraceSort>,
}

impl TraceListModel {
    /// The hits in the order Tempo sent them; times at `utc_offset`.
    pub fn new(hits: &[TraceHit], utc_offset: FixedOffset) -> Self {
        let rows = hits
            .iter()
            .map(|h| TraceListRow {
                trace_id: escape(&h.trace_id).into_owned(),
                service: escape(
                    h.root_service
                        .as_deref()
                        .unwrap_or("<root not yet received>"),
                )
                .into_owned(),
                name: escape(h.root_name.as_deref().unwrap_or("")).into_owned(),
                duration: match h.duration_ms {
                    Some(ms) if ms >= 1 => super::cells::duration(ms as i64 * 1_000_000),
                    _ => "<1ms".into(),
                },
                matched: h.matched.to_string(),
                start: clock(h.start_ns, utc_offset),
                error: h.spans.iter().any(|s| {
                    s.attributes
                        .iter()
                        .any(|(k, v)| k == "status" && v.eq_ignore_ascii_case("error"))
                }),
                start_ns: h.start_ns,
                duration_ms: h.duration_ms.unwrap_or(0),
            })
            .collect::<Vec<_>>();
        Self {
            order: (0..rows.len()).collect(),
            rows,
            sort: None,
        }
    }

    /// Reorders the rows; equal keys keep their current order.
    pub fn sort_by(&mut self, sort: TraceSort) {
        let rows = &self.rows;
        match sort {
            TraceSort::DurationDesc => self
                .order
                .sort_by(|a, b| rows[*b].duration_ms.cmp(&rows[*a].duration_ms)),
            TraceSort::DurationAsc => self.order.sort_by_key(|i| rows[*i].duration_ms),
            TraceSort::StartNewest => self
                .order
                .sort_by(|a, b| rows[*b].start_ns.cmp(&rows[*a].start_ns)),
            TraceSort::StartOldest => self.order.sort_by_key(|i| rows[*i].start_ns),
        }
        self.sort = Some(sort);
    }

    /// The order last sorted by; `None` while in Tempo's order.
    pub fn sort(&self) -> Option<TraceSort> {
        self.sort
    }

    /// The index into the hits the model was built from of the trace shown at `row`.
    /// Panics past `len()`.
    pub fn hit_index(&self, row: usize) -> usize {
        self.order[row]
    }

    /// The shaped row shown at `row`.
    pub fn row(&self, row: usize) -> Option<&TraceListRow> {
        self.order.get(row).map(|i| &self.rows[*i])
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// Draws a header and the rows from `offset`, `selected` marked; the trace id is cut to
/// eight digits and the span name shortened when the width runs out. Draws nothing for no
/// hits.
///
/// ```text
///     trace     service     root span          duration  spans  start
/// › ✗ 4bf92f3…  storefront  POST /checkout       1.25s      3  12:00:01
///     a3ce929…  storefront  GET /products         12ms      1  12:00:00
/// ```
pub fn render_trace_list(
    model: &TraceListModel,
    selected: usize,
    offset: usize,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    if area.is_empty() || model.rows.is_empty() {
        return;
    }
    let longest = |f: fn(&TraceListRow) -> &str, head: &str| {
        model
            .rows
            .iter()
            .map(|r| width(f(r)))
            .max()
            .unwrap_or(0)
            .max(width(head))
    };
    let full_id = longest(|r| &r.trace_id, "trace");
    let mut service = longest(|r| &r.service, "service").min(24);
    let name = longest(|r| &r.name, "root span");
    let duration = longest(|r| &r.duration, "duration");
    let matched = longest(|r| &r.matched, "spans");
    let start = longest(|r| &r.start, "start");
    let total = usize::from(area.width);
    // Mark, error marker, then each column with a space after it.
    let fixed = 4 + duration + 1 + matched + 1 + start;
    let short_id = SHORT_ID + 1;
    let id = if fixed + full_id + 1 + service + 1 + name < total {
        full_id
    } else {
        short_id.min(full_id)
    };
    let mut name_w = total.saturating_sub(fixed + id + 1 + service + 1 + 1);
    if name_w < 10 {
        service = service.min(12);
        name_w = total.saturating_sub(fixed + id + 1 + service + 1 + 1);
    }
    let name_w = name_w.min(name);
    let cols = [
        4,
        id + 1,
        service + 1,
        name_w + 1,
        duration + 1,
        matched + 1,
        start,
    ];
    let mut at = [0u16; 7];
    let mut x = 0usize;
    for (i, w) in cols.iter().enumerate() {
        at[i] = x.min(usize::from(u16::MAX)) as u16;
        x += w;
    }
    let draw_row = |buf: &mut Buffer, y: u16, cells: [&str; 6], style: Style| {
        let fitted = [
            fit(cells[0], id),
            fit(cells[1], service),
            fit(cells[2], name_w),
        ];
        for (i, text) in fitted.iter().enumerate() {
            put(buf, area, at[i + 1], y, text, style);
        }
        let right = |buf: &mut Buffer, col: usize, text: &str, w: usize| {
            let pad = w.saturating_sub(width(text)) as u16;
            put(buf, area, at[col] + pad, y, text, style);
        };
        right(buf, 4, cells[3], duration);
        right(buf, 5, cells[4], matched);
        put(buf, area, at[6], y, cells[5], style);
    };
    draw_row(
        buf,
        0,
        [
            "trace",
            "service",
            "root span",
            "duration",
            "spans",
            "start",
        ],
        theme.title,
    );
    let body = usize::from(area.height.saturating_sub(1));
    for (k, pos) in (offset..model.order.len()).take(body).enumerate() {
        let r = &model.rows[model.order[pos]];
        let y = (k + 1) as u16;
        let id_text = if id < full_id && width(&r.trace_id) > id {
            let mut short: String = r.trace_id.chars().take(SHORT_ID).collect();
            short.push('…');
            short
        } else {
            r.trace_id.clone()
        };
        draw_row(
            buf,
            y,
            [
                &id_text,
                &r.service,
                &r.name,
                &r.duration,
                &r.matched,
                &r.start,
            ],
            Style::new(),
        );
        if r.error {
            put(buf, area, 2, y, ERROR_MARK, theme.error);
        }
        if pos == selected {
            put(buf, area, 0, y, MARK, Style::new());
            paint(buf, area, 0, y, area.width, theme.selected);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::query::traces::HitSpan;

    fn hit(id: &str, start: i64, ms: Option<u64>, status: Option<&str>) -> TraceHit {
        TraceHit {
            trace_id: id.into(),
            root_service: Some("storefront".into()),
            root_name: Some("POST /checkout".into()),
            start_ns: start,
            duration_ms: ms,
            matched: 1,
            spans: vec![HitSpan {
                span_id: "01".into(),
                name: None,
                start_ns: start,
                duration_ns: 1,
                attributes: status
                    .map(|s| vec![("status".to_string(), s.to_string())])
                    .unwrap_or_default(),
            }],
        }
    }

    fn order(model: &TraceListModel) -> Vec<usize> {
        (0..model.len()).map(|r| model.hit_index(r)).collect()
    }

    #[test]
    fn sorting_is_stable_and_keeps_the_hits_in_place() {
        let hits = [
            hit("a", 30, Some(120), None),
            hit("b", 10, None, None),
            hit("c", 20, Some(120), Some("ERROR")),
            hit("d", 40, Some(900), Some("ok")),
        ];
        let mut model = TraceListModel::new(&hits, FixedOffset::east_opt(0).expect("UTC"));
        assert_eq!(order(&model), [0, 1, 2, 3]);
        model.sort_by(TraceSort::DurationDesc);
        assert_eq!(order(&model), [3, 0, 2, 1]);
        model.sort_by(TraceSort::DurationAsc);
        assert_eq!(order(&model), [1, 0, 2, 3]);
        model.sort_by(TraceSort::StartNewest);
        assert_eq!(order(&model), [3, 0, 2, 1]);
        model.sort_by(TraceSort::StartOldest);
        assert_eq!(order(&model), [1, 2, 0, 3]);
        assert_eq!(model.sort(), Some(TraceSort::StartOldest));
        assert_eq!(model.row(0).map(|r| r.duration.as_str()), Some("<1ms"));
        let errors: Vec<bool> = (0..4)
            .map(|r| model.row(r).is_some_and(|r| r.error))
            .collect();
        assert_eq!(errors, [false, true, false, false]);
    }
}
