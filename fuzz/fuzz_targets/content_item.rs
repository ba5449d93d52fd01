//! A content file through every public parser of its parts: the front matter as a lesson,
//! a challenge, a drill or a learning path (what `labtui check` deserializes), the runnable
//! queries in its Markdown and their syntax checks, a window, a recorded dashboard.
#![no_main]

use labtui::lab::content::{
    self, Challenge, Drill, LearningPath, Lesson, parse_window, runnable_queries,
    split_front_matter, validate_query,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(fm) = split_front_matter(&text) {
        let _ = toml::from_str::<Lesson>(fm.toml);
        let _ = toml::from_str::<Challenge>(fm.toml);
        let _ = toml::from_str::<Drill>(fm.toml);
    }
    let _ = toml::from_str::<LearningPath>(&text);
    for q in runnable_queries(&text) {
        let _ = validate_query(q.lang, &q.code);
    }
    let _ = parse_window(&text);
    let _ = content::dashboard::parse("fuzz.json", &text);
});
