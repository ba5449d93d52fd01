//! labtui: a terminal learning console for observability.
//!
//! `lab` is the domain (content, progress, config, and later the stack, shop and faults)
//! and never touches the terminal; `tui` draws it; `cli` is the command line both share.

pub mod cli;
pub mod lab;
pub mod tui;
