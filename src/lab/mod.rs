//! The domain: everything labtui knows, with no terminal UI in it.

pub mod alerts;
pub mod challenge;
pub mod config;
pub mod content;
pub mod faults;
pub mod grading;
pub mod interview;
pub mod paths;
pub mod progress;
pub mod query;
pub mod shop;
pub mod stack;
pub mod untrusted;
