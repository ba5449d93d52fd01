//! Explains a PromQL query the way a learner reads it, starting with a syntax check that
//! says where a query breaks while it is typed.
//!
//! Plain data only: the query console decides how to draw it.

mod scan;
mod syntax;

#[cfg(test)]
mod tests;

pub use syntax::{SyntaxError, check_promql};
