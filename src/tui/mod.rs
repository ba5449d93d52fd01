//! The terminal UI: App state, messages, update, view and the runtime that drives them.

pub mod app;
pub mod challenge_effects;
pub mod keymap;
pub mod lab_effects;
pub mod layout;
pub mod markdown;
pub mod navigator;
pub mod panes;
pub mod query_effects;
pub mod reader;
pub mod runtime;
pub mod theme;
pub mod view;
pub mod widgets;
