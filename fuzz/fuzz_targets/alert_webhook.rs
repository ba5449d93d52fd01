//! The body Alertmanager (or anything on loopback) posts to labtui's alert webhook.
#![no_main]

use chrono::{TimeZone as _, Utc};
use labtui::lab::alerts;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let now = Utc.timestamp_opt(1_796_644_800, 0).single();
    if let Some(now) = now {
        let _ = alerts::parse(data, now);
    }
});
