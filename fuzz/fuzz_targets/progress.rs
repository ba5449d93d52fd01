//! A progress file (or an export a learner imports from elsewhere), from its bytes.
#![no_main]

use labtui::lab::progress;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = progress::parse(data);
});
