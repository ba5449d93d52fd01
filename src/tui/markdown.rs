//! Markdown to ratatui text, wrapped to a width, with runnable query blocks marked.
