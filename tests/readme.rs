//! The README's key table is the keymap: every binding is listed with its keys and help.

use labtui::tui::keymap::{BINDINGS, keys_label};

#[test]
fn readme_lists_every_key_binding() {
    let readme = include_str!("../README.md");
    let missing: Vec<String> = BINDINGS
        .iter()
        .map(|b| format!("| {} | {} |", keys_label(b).replace('|', "\\|"), b.help))
        .filter(|row| !readme.contains(row.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "README.md key table is missing these rows:\n{}",
        missing.join("\n")
    );
}
