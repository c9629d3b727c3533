//! Fuzz target: raw bytes through the decoder with the service's limits (24 MP, 384 MiB),
//! and the memory estimate the service reserves by: a panic, a hang or an allocation beyond
//! the limits is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use photocheck::decode::{DecodeLimits, decode_within, memory_estimate};

fuzz_target!(|data: &[u8]| {
    let limits = DecodeLimits {
        max_pixels: 24_000_000,
        max_alloc: 384 << 20,
    };
    let _ = memory_estimate(data, &limits);
    for reduce in [false, true] {
        if let Ok(photo) = decode_within(data, reduce, &limits) {
            assert_eq!(
                (photo.image.width() > 0, photo.image.height() > 0),
                (true, true)
            );
        }
    }
});
