//! A lesson, challenge or drill file as an author (or a downloaded course) may write it:
//! the front matter split, then the whole text through the reader's Markdown renderer at
//! a width taken from the first two bytes.
#![no_main]

use labtui::lab::content::split_front_matter;
use labtui::tui::markdown::{self, MdTheme};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (width, text) = match data {
        [a, b, rest @ ..] => (u16::from_le_bytes([*a, *b]) % 512, rest),
        _ => (80, data),
    };
    let text = String::from_utf8_lossy(text);
    if let Ok(fm) = split_front_matter(&text) {
        let _ = markdown::render(fm.body, width, &MdTheme::plain());
    }
    let _ = markdown::render(&text, width, &MdTheme::plain());
});
