//! Explains a PromQL query the way a learner reads it: a syntax check that says where a
//! query breaks while it is typed, and a tree of its sub-expressions in plain words.
//!
//! Plain data only: the query console decides how to draw it.

mod operators;
mod scan;
mod syntax;
mod words;

#[cfg(test)]
mod tests;

use promql_parser::parser::Expr;

pub use syntax::{SyntaxError, check_promql};

/// One sub-expression of a query and what it does, so a learner can read a query from the
/// outside in and run any piece of it on its own.
#[derive(Debug, Clone, PartialEq)]
pub struct ExplainNode {
    /// This sub-expression as valid PromQL, printed by promql-parser (so spacing and
    /// durations are normalised: `[90s]` prints as `[1m30s]`).
    pub expr: String,
    pub kind: NodeKind,
    /// What it does, in a sentence fragment.
    pub summary: String,
    /// Operands and arguments, in the order they are written.
    pub children: Vec<ExplainNode>,
}

/// What sort of PromQL construct a node is, so the console can mark it.
///
/// There is no kind for parentheses: a parenthesised expression is one node whose `expr`
/// keeps the parentheses and whose summary and children are those of what is inside. The
/// tree's indentation already shows the grouping, and an extra "parentheses" line between
/// every operator and its operand would only make the tree longer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// `sum`, `avg`, `topk`, `count_values` and the other aggregation operators.
    Aggregate,
    Function,
    /// Arithmetic, comparison and set operators.
    Binary,
    /// An instant vector selector: `up{job="api"}`.
    Selector,
    /// A range vector selector: `http_requests_total[5m]`.
    RangeSelector,
    Subquery,
    Number,
    String,
    /// Unary minus.
    Unary,
}

/// Parses a query and explains every sub-expression, so the console can show the tree
/// beside the result; a query that does not parse gets the same error as [`check_promql`].
pub fn explain(expr: &str) -> Result<ExplainNode, SyntaxError> {
    syntax::parse(expr).map(|ast| node(&ast))
}

/// The tree in reading order with each node's depth (the root is 0), for an indented list.
pub fn flatten(root: &ExplainNode) -> Vec<(usize, &ExplainNode)> {
    let mut out = Vec::new();
    let mut stack = vec![(0, root)];
    while let Some((depth, node)) = stack.pop() {
        out.push((depth, node));
        stack.extend(node.children.iter().rev().map(|child| (depth + 1, child)));
    }
    out
}

fn node(expr: &Expr) -> ExplainNode {
    let inner = words::unparen(expr);
    let (kind, summary) = words::describe(inner);
    ExplainNode {
        expr: expr.to_string(),
        kind,
        summary,
        children: words::operands(inner).into_iter().map(node).collect(),
    }
}
