//! A Tempo answer: search, an OTLP JSON trace, tags and tag values (v1 and v2), TraceQL
//! metrics, build info.
#![no_main]

use labtui::lab::query::tempo::decode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let body = String::from_utf8_lossy(data);
    let _ = decode::search(&body);
    let _ = decode::trace(&body);
    let _ = decode::tags_v1(&body);
    let _ = decode::tags_v2(&body);
    let _ = decode::tag_values_v1(&body);
    let _ = decode::tag_values_v2(&body);
    let _ = decode::metrics(&body);
    let _ = decode::buildinfo(&body);
    let _ = decode::id_hex(&body);
});
