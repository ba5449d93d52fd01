//! `labtui fault inject NAME k=v ...`: the arguments split on NUL bytes, the first picking
//! the fault in the catalogue, then parsed and resolved against that fault's parameters;
//! the same bytes as a TTL.
#![no_main]

use labtui::lab::faults::{self, catalogue};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let args: Vec<String> = text.split('\0').map(str::to_owned).collect();
    let all = catalogue();
    let def = &all.faults[usize::from(pick) % all.faults.len()];
    if let Ok(given) = faults::parse_params(&args) {
        let _ = def.resolve_params(&given);
    }
    let _ = faults::parse_ttl(&text);
});
