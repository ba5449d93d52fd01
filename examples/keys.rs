//! Prints the key table for the README from the keymap: `cargo run --example keys`.

use labtui::tui::keymap::{BINDINGS, Context, keys_label};

fn main() {
    for context in Context::ALL {
        println!("\n**{}**\n\n| keys | does |\n|---|---|", context.title());
        for b in BINDINGS.iter().filter(|b| b.context == context) {
            println!("| {} | {} |", keys_label(b).replace('|', "\\|"), b.help);
        }
    }
}
