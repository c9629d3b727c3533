//! Fuzz target: text as an expectations file (`--expect`, TOML or JSON): an error is fine, a
//! panic is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use photocheck::expect::Expectations;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Expectations::from_text(text, std::path::Path::new("fuzz/expected.toml"));
});
