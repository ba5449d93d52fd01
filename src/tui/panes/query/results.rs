//! What a language tab shows below its editor: the newest run and its result, shaped for
//! drawing once when it arrives (a table model, a downsampled chart), and the explain tree.

use std::time::Duration;

use crate::lab::query::explain::{self, ExplainNode};
use crate::lab::query::units::Unit;
use crate::lab::query::{QueryData, QueryError, QueryOutcome, QueryWindow};

use super::super::super::widgets::chart::ChartModel;
use super::super::super::widgets::table::{SortKey, TableModel};

/// One run of a query: what was sent and what came back.
#[derive(Debug, Clone)]
pub struct Run {
    pub id: u64,
    pub expr: String,
    pub window: QueryWindow,
    /// The pane's clock when it was sent (for the spinner's elapsed time).
    pub sent_at: Duration,
    pub state: RunState,
    /// Set when this run shows one node of the explain tree rather than the editor's query.
    pub node: Option<usize>,
}

#[derive(Debug, Clone)]
pub enum RunState {
    Loading,
    Done(Box<Done>),
    /// Not sent: labtui's own syntax check found the problem first.
    Invalid(String),
    /// The server refused the query: its words, verbatim.
    Failed(String),
    /// Nothing answered.
    Unreachable(String),
    /// The lab runs without this backend: the message says how to get it.
    NotInLab(String),
}

/// A finished query with its result shaped for the pane.
#[derive(Debug, Clone)]
pub struct Done {
    pub data: QueryData,
    pub view: ResultView,
    pub took: Duration,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone)]
pub enum ResultView {
    Empty,
    Table {
        model: TableModel,
        selected: usize,
        /// Index into [`sort_keys`] of the order in use.
        sort: usize,
    },
    Chart {
        model: ChartModel,
        /// The legend row the learner is on (Space toggles it).
        selected: usize,
    },
    Text(String),
    /// LogQL log lines with their volume histogram.
    Logs(Box<super::logs::LogsView>),
    /// TraceQL search hits.
    Traces(Box<super::traces::TracesView>),
}

impl ResultView {
    /// Shapes data for drawing: a table for instants, a chart `width` cells wide for ranges.
    pub fn build(data: &QueryData, expr: &str, window: QueryWindow, width: u16) -> Self {
        let unit = Unit::guess(expr);
        match data {
            _ if data.is_empty() => Self::Empty,
            QueryData::Matrix(series) => {
                let mut model = ChartModel::new(series, unit, width);
                if let QueryWindow::Range { start, end, .. } = window {
                    model = model.with_x_range(start, end);
                }
                Self::Chart { model, selected: 0 }
            }
            QueryData::String { value, .. } => Self::Text(value.clone()),
            QueryData::Streams(entries) => {
                let (start, end) = match window {
                    QueryWindow::Range { start, end, .. } => (start, end),
                    // An instant log query has no range of its own: span its lines.
                    QueryWindow::Instant { .. } => {
                        let ts = entries.iter().map(|e| e.ts_ns as f64 / 1e9);
                        let lo = ts.clone().fold(f64::INFINITY, f64::min);
                        (lo, ts.fold(f64::NEG_INFINITY, f64::max) + 1e-9)
                    }
                };
                Self::Logs(Box::new(super::logs::LogsView::new(
                    entries.clone(),
                    start,
                    end,
                    width,
                )))
            }
            QueryData::Traces(hits) => {
                Self::Traces(Box::new(super::traces::TracesView::new(hits.clone())))
            }
            QueryData::Vector(_) | QueryData::Scalar(_) => Self::Table {
                model: TableModel::from_data(data, unit),
                selected: 0,
                sort: 0,
            },
        }
    }
}

/// The orders `o` steps through: by value (high first, then low), then by each column.
pub fn sort_keys(model: &TableModel) -> Vec<SortKey> {
    let mut keys = vec![
        SortKey::Value { descending: true },
        SortKey::Value { descending: false },
    ];
    keys.extend(model.columns.iter().map(|name| SortKey::Label {
        name: name.clone(),
        descending: false,
    }));
    keys
}

impl Run {
    pub fn finish(&mut self, result: Result<QueryOutcome, QueryError>, width: u16) {
        self.state = match result {
            Ok(outcome) => RunState::Done(Box::new(Done {
                view: ResultView::build(&outcome.data, &self.expr, self.window, width),
                data: outcome.data,
                took: outcome.elapsed,
                warnings: outcome.warnings,
            })),
            Err(e @ (QueryError::Unreachable { .. } | QueryError::Timeout { .. })) => {
                RunState::Unreachable(e.to_string())
            }
            Err(e @ QueryError::NotInLab { .. }) => RunState::NotInLab(e.to_string()),
            Err(e) => RunState::Failed(e.to_string()),
        };
    }

    /// Reshapes a chart for a new width (the data stays).
    pub fn relayout(&mut self, width: u16) {
        if let RunState::Done(done) = &mut self.state
            && let ResultView::Chart { model, .. } = &mut done.view
        {
            model.resize(width);
        }
    }
}

/// A node's own result size, once it has been run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeState {
    NotRun,
    Running(u64),
    Series(usize),
    Failed(String),
}

/// One line of the explain tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplainRow {
    pub depth: usize,
    pub expr: String,
    pub summary: String,
    pub state: NodeState,
}

/// The query's syntax tree as an indented list, each node with its plain-language line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplainView {
    /// The query the tree is of.
    pub of: String,
    pub rows: Vec<ExplainRow>,
    pub selected: usize,
}

impl ExplainView {
    /// The tree of `expr`, or the syntax error that prevents one.
    pub fn of(expr: &str) -> Result<Self, String> {
        let root: ExplainNode = explain::explain(expr).map_err(|e| e.to_string())?;
        let rows = explain::flatten(&root)
            .into_iter()
            .map(|(depth, node)| ExplainRow {
                depth,
                expr: node.expr.clone(),
                summary: node.summary.clone(),
                state: NodeState::NotRun,
            })
            .collect();
        Ok(Self {
            of: expr.to_string(),
            rows,
            selected: 0,
        })
    }

    /// Records a node's result by request id; false when no node waited for it.
    pub fn finish(&mut self, id: u64, result: &Result<QueryOutcome, QueryError>) -> bool {
        let Some(row) = self
            .rows
            .iter_mut()
            .find(|r| r.state == NodeState::Running(id))
        else {
            return false;
        };
        row.state = match result {
            Ok(outcome) => NodeState::Series(outcome.data.series_count()),
            Err(e) => NodeState::Failed(e.to_string()),
        };
        true
    }
}
