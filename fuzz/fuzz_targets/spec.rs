//! Fuzz target: text as a spec file (TOML, `extends`, every rule table): an error is fine, a
//! panic is a finding; a spec that loads also prints and re-reads as TOML.
#![no_main]

use libfuzzer_sys::fuzz_target;
use photocheck::Spec;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(spec) = Spec::from_toml(text, "fuzz.toml") {
        let again = spec.to_toml();
        let _ = Spec::from_toml(&again, "again.toml");
        let _ = spec.summary();
    }
});
