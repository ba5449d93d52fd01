//! Tests of the content model through its real entry points, with small sample files.

mod catalog;
mod challenges_drills;
mod items;
mod paths;
mod samples;

use std::path::{Path, PathBuf};

use super::resolve_root;

#[test]
fn root_prefers_env_then_a_cwd_with_lessons_then_the_checkout() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        resolve_root(Some("/content".into()), Some(dir.path())),
        PathBuf::from("/content")
    );
    let checkout = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    assert_eq!(resolve_root(Some("".into()), Some(dir.path())), checkout);
    assert_eq!(resolve_root(None, None), checkout);
    std::fs::create_dir(dir.path().join("lessons")).unwrap();
    assert_eq!(resolve_root(None, Some(dir.path())), Path::new(dir.path()));
}
