//! An Alertmanager /api/v2 answer: alert groups, alerts, silences.
#![no_main]

use labtui::lab::query::alertmanager::{self, Alert, AlertGroup, Silence};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let body = String::from_utf8_lossy(data);
    let _ = alertmanager::decode::<Vec<AlertGroup>>(&body);
    let _ = alertmanager::decode::<Vec<Alert>>(&body);
    let _ = alertmanager::decode::<Vec<Silence>>(&body);
});
