//! A Loki answer: a query in both directions, a live-tail frame, volumes, detected fields.
#![no_main]

use labtui::lab::query::loki::{Direction, decode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let body = String::from_utf8_lossy(data);
    let _ = decode::query(&body, Direction::Backward);
    let _ = decode::query(&body, Direction::Forward);
    let _ = decode::tail_frame(&body);
    let _ = decode::volume(&body);
    let _ = decode::volume_range(&body);
    let _ = decode::detected_fields(&body);
});
