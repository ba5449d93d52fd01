//! Settings from the optional config.toml.
