//! Fuzz target: raw bytes through decode -> analyse -> checks -> JSON, without the per-photo
//! panic guard of `Engine::check_bytes`, so that any panic is a finding.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use photocheck::{Engine, Spec};

static ENGINE: OnceLock<(Engine, Spec)> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let (engine, spec) = ENGINE.get_or_init(|| {
        (
            Engine::new().expect("models load"),
            Spec::preset("cn-driving-licence").expect("preset"),
        )
    });
    if let Ok(photo) = photocheck::decode::decode(data) {
        if let Ok(analysis) = engine.analyse(&photo) {
            let report = engine.report("fuzz", &analysis, spec);
            let _ = serde_json_len(&report);
        }
    }
});

fn serde_json_len(report: &photocheck::FileReport) -> usize {
    format!("{report:?}").len()
}
