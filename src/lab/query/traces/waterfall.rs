//! A trace laid out as a waterfall: rows in tree order with their depth, self time, clock
//! skew and critical path, computed once so drawing and searching only read the rows.
//!
//! Real traces are untidy, so the layout never trusts the parent links: a span whose
//! parent is missing is an orphan shown at the top level, duplicate span ids and parent
//! cycles are broken deterministically, and every span appears exactly once.

use std::collections::{HashMap, HashSet};

use super::{Span, SpanKind, Trace, Waterfall, WaterfallRow};

impl Waterfall {
    /// Lay `trace` out: every span once, depth first, parents before children, siblings
    /// (and top-level spans) by start time, ties by span id then by position in the trace,
    /// so the same trace always gives the same rows. O(n log n) in the number of spans.
    pub fn build(trace: &Trace) -> Waterfall {
        let spans = &trace.spans;
        let n = spans.len();
        if n == 0 {
            return Waterfall::default();
        }
        let start = |i: usize| spans[i].start_ns;
        // A span whose end precedes its start is drawn as an instant at its start.
        let end = |i: usize| spans[i].end_ns.max(spans[i].start_ns);
        let order = |a: &usize, b: &usize| {
            (start(*a), spans[*a].span_id.as_str(), *a).cmp(&(
                start(*b),
                spans[*b].span_id.as_str(),
                *b,
            ))
        };

        // The first span with an id owns it; a later duplicate is still a row of its own.
        let mut by_id: HashMap<&str, usize> = HashMap::with_capacity(n);
        for (i, s) in spans.iter().enumerate() {
            by_id.entry(s.span_id.as_str()).or_insert(i);
        }
        let parent: Vec<Option<usize>> = spans
            .iter()
            .enumerate()
            .map(|(i, s)| {
                s.parent_id
                    .as_deref()
                    .and_then(|p| by_id.get(p).copied())
                    .filter(|&p| p != i)
            })
            .collect();
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut top: Vec<usize> = Vec::new();
        for (i, p) in parent.iter().enumerate() {
            match p {
                Some(p) => children[*p].push(i),
                None => top.push(i),
            }
        }
        for c in &mut children {
            c.sort_by(order);
        }
        top.sort_by(order);

        // Depth first from each top-level span. A parent cycle has no top-level span, so
        // whatever is left afterwards starts its own tree at its earliest span.
        let mut rows: Vec<WaterfallRow> = Vec::with_capacity(n);
        let mut tree_parent: Vec<Option<usize>> = vec![None; n];
        let mut placed = vec![false; n];
        let mut stack: Vec<(usize, usize, Option<usize>)> = Vec::new();
        let mut place_tree = |root: usize, rows: &mut Vec<WaterfallRow>| {
            stack.push((root, 0, None));
            while let Some((s, depth, via)) = stack.pop() {
                if placed[s] {
                    continue;
                }
                placed[s] = true;
                tree_parent[s] = via;
                rows.push(WaterfallRow {
                    span: s,
                    depth,
                    orphan: depth == 0 && spans[s].parent_id.is_some(),
                    has_children: false,
                    self_ns: 0,
                    critical: Vec::new(),
                    skewed: false,
                });
                for &c in children[s].iter().rev() {
                    if !placed[c] {
                        stack.push((c, depth + 1, Some(s)));
                    }
                }
            }
        };
        for &t in &top {
            place_tree(t, &mut rows);
        }
        if rows.len() < n {
            let mut left: Vec<usize> = (0..n).collect();
            left.sort_by(order);
            for s in left {
                place_tree(s, &mut rows);
            }
        }

        // The children each span really has in the layout, in row (start) order.
        let mut kids: Vec<Vec<usize>> = vec![Vec::new(); n];
        for row in &rows {
            if let Some(p) = tree_parent[row.span] {
                kids[p].push(row.span);
            }
        }

        for row in &mut rows {
            let s = row.span;
            row.has_children = !kids[s].is_empty();
            row.self_ns = self_time(
                start(s),
                end(s),
                kids[s].iter().map(|&c| (start(c), end(c))),
            );
            row.skewed = tree_parent[s].is_some_and(|p| {
                !is_async(&spans[p], &spans[s]) && (start(s) < start(p) || end(s) > end(p))
            });
        }

        let critical = critical_path(&rows, &kids, &tree_parent, start, end);
        for (row, segments) in rows.iter_mut().zip(critical) {
            row.critical = segments;
        }

        Waterfall {
            start_ns: (0..n).map(start).min().unwrap_or_default(),
            end_ns: (0..n).map(end).max().unwrap_or_default(),
            rows,
        }
    }

    /// Row indices left to draw when the rows in `collapsed` (keyed by ROW index, as the
    /// console's cursor is) are folded: a collapsed row stays, its descendants go.
    pub fn visible(&self, collapsed: &HashSet<usize>) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.rows.len());
        let mut hide_below: Option<usize> = None;
        for (i, row) in self.rows.iter().enumerate() {
            if let Some(depth) = hide_below {
                if row.depth > depth {
                    continue;
                }
                hide_below = None;
            }
            out.push(i);
            if collapsed.contains(&i) {
                hide_below = Some(row.depth);
            }
        }
        out
    }

    /// Rows whose span name, service, or any span attribute key or value contains
    /// `needle`, ignoring case, so `/` search in the waterfall finds `payments` or
    /// `http.route`. An empty needle finds nothing rather than everything.
    pub fn find(&self, trace: &Trace, needle: &str) -> Vec<usize> {
        let needle = needle.to_lowercase();
        if needle.is_empty() {
            return Vec::new();
        }
        let has = |text: &str| text.to_lowercase().contains(&needle);
        self.rows
            .iter()
            .enumerate()
            .filter(|(_, row)| {
                trace.spans.get(row.span).is_some_and(|s| {
                    has(&s.name)
                        || has(&s.service)
                        || s.attributes.iter().any(|(k, v)| has(k) || has(v))
                })
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// How long a row's span spends on the critical path, in ns (0 for an unknown row).
    pub fn critical_ns(&self, row: usize) -> i64 {
        self.rows
            .get(row)
            .map_or(0, |r| r.critical.iter().map(|(a, b)| b - a).sum())
    }

    /// The whole trace's length, first start to last end.
    pub fn duration_ns(&self) -> i64 {
        self.end_ns - self.start_ns
    }
}

/// A consumer reading a producer's message runs after the producer returns by design
/// (the shop's fulfillment reads a queue); that is not clock skew.
fn is_async(parent: &Span, child: &Span) -> bool {
    parent.kind == SpanKind::Producer || child.kind == SpanKind::Consumer
}

/// `[start, end)` minus the union of the children's intervals clipped to it, so parallel
/// children are counted once; never negative.
fn self_time(start: i64, end: i64, children: impl Iterator<Item = (i64, i64)>) -> i64 {
    let mut clipped: Vec<(i64, i64)> = children
        .map(|(s, e)| (s.max(start), e.min(end)))
        .filter(|(s, e)| s < e)
        .collect();
    clipped.sort_unstable();
    let mut covered = 0;
    let mut run: Option<(i64, i64)> = None;
    for (s, e) in clipped {
        match run {
            Some((rs, re)) if s <= re => run = Some((rs, re.max(e))),
            Some((rs, re)) => {
                covered += re - rs;
                run = Some((s, e));
            }
            None => run = Some((s, e)),
        }
    }
    if let Some((rs, re)) = run {
        covered += re - rs;
    }
    (end - start - covered).max(0)
}

/// One span being walked backwards on the critical path.
struct Frame {
    span: usize,
    /// The span's interval, clipped to its parent's.
    lo: i64,
    cursor: i64,
    /// Children clipped to `[lo, cursor]`, as `(end, start, span)`, latest end first.
    kids: Vec<(i64, i64, usize)>,
    next: usize,
}

impl Frame {
    fn new(
        span: usize,
        lo: i64,
        hi: i64,
        kids: &[usize],
        start: impl Fn(usize) -> i64,
        end: impl Fn(usize) -> i64,
    ) -> Self {
        let mut clipped: Vec<(i64, i64, usize)> = kids
            .iter()
            .filter(|&&c| start(c) <= hi && end(c) >= lo)
            .map(|&c| (end(c).min(hi), start(c).max(lo), c))
            .collect();
        // Latest end first; of two ending together the longer (earlier start) wins.
        clipped.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        Self {
            span,
            lo,
            cursor: hi,
            kids: clipped,
            next: 0,
        }
    }
}

/// The critical path as Jaeger computes it, per row: `[start, end)` segments in time order.
///
/// It starts at the top-level span whose subtree ends last. Walking back from that span's
/// end, it takes the child that finishes last before the current point, walks that child
/// the same way over the child's own interval, then carries on from the child's start;
/// time no child covers is the parent's own. Children are clipped to their parent (skew,
/// a child that outlives its parent), and one entirely outside it is not on the path.
///
/// So work that runs after the root has answered, like the shop's fulfillment consuming
/// the checkout's queue message, stays off the path when its producer is in the trace:
/// the path is the latency the caller waited for. When such spans are orphans (their
/// producer lost), their own subtree may end last and then the path follows them instead.
fn critical_path(
    rows: &[WaterfallRow],
    kids: &[Vec<usize>],
    tree_parent: &[Option<usize>],
    start: impl Fn(usize) -> i64 + Copy,
    end: impl Fn(usize) -> i64 + Copy,
) -> Vec<Vec<(i64, i64)>> {
    let n = kids.len();
    let mut out_by_span: Vec<Vec<(i64, i64)>> = vec![Vec::new(); n];
    // Children come after their parent in `rows`, so one backwards pass sees them first.
    let mut subtree_end: Vec<i64> = (0..n).map(end).collect();
    for row in rows.iter().rev() {
        if let Some(p) = tree_parent[row.span] {
            subtree_end[p] = subtree_end[p].max(subtree_end[row.span]);
        }
    }
    let root = rows.iter().filter(|r| r.depth == 0).map(|r| r.span).fold(
        None,
        |best: Option<usize>, s| match best {
            Some(b) if subtree_end[b] >= subtree_end[s] => Some(b),
            _ => Some(s),
        },
    );
    if let Some(root) = root {
        let mut stack = vec![Frame::new(
            root,
            start(root),
            end(root),
            &kids[root],
            start,
            end,
        )];
        while let Some(frame) = stack.last_mut() {
            while frame
                .kids
                .get(frame.next)
                .is_some_and(|k| k.0 > frame.cursor)
            {
                frame.next += 1;
            }
            if let Some(&(ce, cs, child)) = frame.kids.get(frame.next) {
                frame.next += 1;
                if ce < frame.cursor {
                    out_by_span[frame.span].push((ce, frame.cursor));
                }
                frame.cursor = cs;
                let next = Frame::new(child, cs, ce, &kids[child], start, end);
                stack.push(next);
            } else {
                if frame.lo < frame.cursor {
                    out_by_span[frame.span].push((frame.lo, frame.cursor));
                }
                stack.pop();
            }
        }
    }
    rows.iter()
        .map(|r| {
            // Pushed latest first; a zero-length child splits a run that is one segment.
            let mut segments: Vec<(i64, i64)> = Vec::new();
            for (a, b) in std::mem::take(&mut out_by_span[r.span]).into_iter().rev() {
                match segments.last_mut() {
                    Some(last) if last.1 == a => last.1 = b,
                    _ => segments.push((a, b)),
                }
            }
            segments
        })
        .collect()
}

#[cfg(test)]
mod tests;
