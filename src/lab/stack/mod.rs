//! The lab stack: one spec, several runtimes (native processes, Docker, attach to URLs).
pub mod docker;
