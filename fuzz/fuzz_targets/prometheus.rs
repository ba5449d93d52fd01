//! A Prometheus /api/v1 answer: the envelope and a query result, plus a sample value.
#![no_main]

use labtui::lab::query::prometheus::decode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let body = String::from_utf8_lossy(data);
    let _ = decode::query(&body);
    let _ = decode::envelope(&body);
    let _ = decode::parse_value(&body);
});
