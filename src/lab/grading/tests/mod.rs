//! Tests of the pure graders.
