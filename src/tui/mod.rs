//! The terminal UI: App state, messages, update, view and the runtime that drives them.

pub mod markdown;
