//! The service map: which service calls which, how often and how often it fails. Services
//! are boxes in columns by call depth; every edge is listed beside them with its rate and
//! error ratio, failing ones marked `!`.

use std::collections::{HashMap, VecDeque};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::cells::{fit, paint, put, width};
use crate::lab::untrusted::escape;
use crate::tui::theme::Theme;

/// A service name longer than this is cut in its box and in the list.
const NAME_MAX: usize = 20;
/// Between box columns: a `──▶` from a box that calls into the next column.
const GAP: u16 = 4;
const MARK: &str = "›";
const ERROR_MARK: &str = "!";

/// One caller→callee pair, as the service graph metrics give it.
#[derive(Debug, Clone, PartialEq)]
pub struct MapEdge {
    pub client: String,
    pub server: String,
    /// Requests per second.
    pub rate: f64,
    /// Failed requests over all requests, 0 to 1.
    pub error_ratio: f64,
}

/// The services in order of first appearance, with their column: the fewest calls from a
/// service nobody calls (when every service is called, as in a cycle, from the first one
/// met), and each edge as a pair of service indices. Cycles and self-calls cannot loop,
/// since each service is placed once.
fn columns(edges: &[MapEdge]) -> (Vec<String>, Vec<usize>, Vec<(usize, usize)>) {
    let mut names: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut id = |name: &str, names: &mut Vec<String>| -> usize {
        let name = fit(&escape(name), NAME_MAX).into_owned();
        *index.entry(name.clone()).or_insert_with(|| {
            names.push(name);
            names.len() - 1
        })
    };
    let pairs: Vec<(usize, usize)> = edges
        .iter()
        .map(|e| (id(&e.client, &mut names), id(&e.server, &mut names)))
        .collect();
    let n = names.len();
    let mut called = vec![false; n];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(c, s) in &pairs {
        if c != s {
            called[s] = true;
            out[c].push(s);
        }
    }
    let mut depth: Vec<Option<usize>> = vec![None; n];
    let mut queue = VecDeque::new();
    for i in (0..n).filter(|i| !called[*i]) {
        depth[i] = Some(0);
        queue.push_back(i);
    }
    loop {
        while let Some(i) = queue.pop_front() {
            let d = depth[i].unwrap_or(0);
            for &s in &out[i] {
                if depth[s].is_none() {
                    depth[s] = Some(d + 1);
                    queue.push_back(s);
                }
            }
        }
        // Services only reachable through a cycle start a column 0 of their own.
        match depth.iter().position(Option::is_none) {
            Some(i) => {
                depth[i] = Some(0);
                queue.push_back(i);
            }
            None => break,
        }
    }
    let depth = depth.into_iter().map(|d| d.unwrap_or(0)).collect();
    (names, depth, pairs)
}

/// Draws the boxes left (or on top, when the list does not fit beside them) and the edge
/// list; `selected` indexes `edges`. Draws nothing without edges.
///
/// ```text
/// ┌────────────┐    ┌────────┐    ┌───────────┐    storefront ──▶ orders     4.1/s   0.0% err
/// │ storefront │──▶ │ orders │──▶ │ inventory │  › orders     ──▶ payments   3.9/s  12.5% err !
/// └────────────┘    └────────┘    └───────────┘    orders     ──▶ inventory  4.0/s   0.0% err
///                                 ┌───────────┐
///                                 │ payments  │
///                                 └───────────┘
/// ```
pub fn render_service_map(
    edges: &[MapEdge],
    selected: Option<usize>,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    if area.is_empty() || edges.is_empty() {
        return;
    }
    let (names, depth, pairs) = columns(edges);
    let column_count = depth.iter().max().map_or(0, |d| d + 1);
    let mut by_column: Vec<Vec<usize>> = vec![Vec::new(); column_count];
    for (i, d) in depth.iter().enumerate() {
        by_column[*d].push(i);
    }
    // Services that call into the next column go first, so their `──▶` meets a box.
    for (c, col) in by_column.iter_mut().enumerate() {
        col.sort_by_key(|i| !pairs.iter().any(|&(a, b)| a == *i && depth[b] == c + 1));
    }
    let box_widths: Vec<u16> = by_column
        .iter()
        .map(|col| col.iter().map(|i| width(&names[*i])).max().unwrap_or(0) as u16 + 4)
        .collect();
    let boxes_width: u16 =
        box_widths.iter().sum::<u16>() + GAP * (column_count as u16).saturating_sub(1);
    let boxes_height = by_column.iter().map(Vec::len).max().unwrap_or(0) as u16 * 3;

    let list = edge_lines(edges);
    let list_width = list.iter().map(|(l, _)| width(l)).max().unwrap_or(0) as u16 + 2;
    let (boxes_area, list_area) = if boxes_width + 2 + list_width <= area.width {
        let boxes = Rect::new(area.x, area.y, boxes_width, area.height);
        let list = Rect::new(
            area.x + boxes_width + 2,
            area.y,
            area.width - boxes_width - 2,
            area.height,
        );
        (boxes, list)
    } else {
        let list_rows = (edges.len() as u16).min(area.height / 2);
        let top = area.height - list_rows;
        let boxes_rows = boxes_height.min(top.saturating_sub(1));
        let boxes = Rect::new(area.x, area.y, area.width, boxes_rows);
        let list = Rect::new(
            area.x,
            area.y + boxes_rows + u16::from(boxes_rows > 0),
            area.width,
            area.height - boxes_rows - u16::from(boxes_rows > 0),
        );
        (boxes, list)
    };

    // Boxes, and a `──▶` from each that calls a service in the next column.
    let mut x = 0u16;
    for (c, col) in by_column.iter().enumerate() {
        let w = box_widths[c];
        let inner = usize::from(w - 2);
        for (k, &i) in col.iter().enumerate() {
            let y = k as u16 * 3;
            if y + 3 > boxes_area.height {
                break;
            }
            let rule = "─".repeat(inner);
            put(buf, boxes_area, x, y, &format!("┌{rule}┐"), theme.border);
            put(buf, boxes_area, x, y + 1, "│", theme.border);
            put(
                buf,
                boxes_area,
                x + 1,
                y + 1,
                &format!(" {:<w$} ", names[i], w = inner - 2),
                Style::new(),
            );
            put(buf, boxes_area, x + w - 1, y + 1, "│", theme.border);
            put(
                buf,
                boxes_area,
                x,
                y + 2,
                &format!("└{rule}┘"),
                theme.border,
            );
            let calls_next = pairs.iter().any(|&(a, b)| a == i && depth[b] == c + 1);
            if calls_next {
                put(buf, boxes_area, x + w, y + 1, "──▶", theme.muted);
            }
        }
        x = x.saturating_add(w + GAP);
    }

    for (k, (line, failing)) in list.iter().enumerate() {
        let y = k as u16;
        if y >= list_area.height {
            break;
        }
        let is_selected = selected == Some(k);
        put(
            buf,
            list_area,
            0,
            y,
            if is_selected { MARK } else { " " },
            Style::new(),
        );
        put(
            buf,
            list_area,
            2,
            y,
            line,
            if *failing { theme.error } else { Style::new() },
        );
        if is_selected {
            paint(buf, list_area, 0, y, list_area.width, theme.selected);
        }
    }
}

/// Each edge as `client ──▶ server  rate  error%`, names padded so the arrows line up, and
/// whether it failed at all.
fn edge_lines(edges: &[MapEdge]) -> Vec<(String, bool)> {
    let names: Vec<(String, String)> = edges
        .iter()
        .map(|e| {
            (
                fit(&escape(&e.client), NAME_MAX).into_owned(),
                fit(&escape(&e.server), NAME_MAX).into_owned(),
            )
        })
        .collect();
    let cw = names.iter().map(|n| width(&n.0)).max().unwrap_or(0);
    let sw = names.iter().map(|n| width(&n.1)).max().unwrap_or(0);
    edges
        .iter()
        .zip(&names)
        .map(|(e, (client, server))| {
            let failing = e.error_ratio > 0.0;
            let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(width(s))));
            (
                format!(
                    "{} ──▶ {}  {:>7}  {:>5.1}% err{}",
                    pad(client, cw),
                    pad(server, sw),
                    rate(e.rate),
                    e.error_ratio.clamp(0.0, 1.0) * 100.0,
                    if failing {
                        format!(" {ERROR_MARK}")
                    } else {
                        String::new()
                    }
                ),
                failing,
            )
        })
        .collect()
}

fn rate(r: f64) -> String {
    if !r.is_finite() {
        "?/s".into()
    } else if r > 0.0 && r < 0.1 {
        format!("{r:.2}/s")
    } else {
        format!("{r:.1}/s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(client: &str, server: &str, error_ratio: f64) -> MapEdge {
        MapEdge {
            client: client.into(),
            server: server.into(),
            rate: 1.0,
            error_ratio,
        }
    }

    #[test]
    fn columns_follow_call_depth() {
        let (names, depth, _) = columns(&[
            edge("loadgen", "storefront", 0.0),
            edge("storefront", "orders", 0.0),
            edge("orders", "payments", 0.1),
            edge("storefront", "payments", 0.0),
        ]);
        assert_eq!(names, ["loadgen", "storefront", "orders", "payments"]);
        assert_eq!(depth, [0, 1, 2, 2]);
    }

    #[test]
    fn cycles_and_self_calls_still_place_every_service_once() {
        let (names, depth, _) = columns(&[
            edge("a", "b", 0.0),
            edge("b", "a", 0.0),
            edge("b", "b", 0.0),
            edge("c", "c", 0.0),
        ]);
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(depth, [0, 1, 0]);
    }
}
