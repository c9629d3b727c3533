//! Colour conversions: sRGB (8-bit) to CIE L*a*b* (D65), via `palette`.

use palette::{IntoColor, Lab, Srgb};

/// CIE L*a*b* (D65) of an 8-bit sRGB colour given as floats in 0..255: `[L*, a*, b*]`.
pub fn lab(rgb: [f32; 3]) -> [f32; 3] {
    let c: Lab = Srgb::new(rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0)
        .into_linear()
        .into_color();
    [c.l, c.a, c.b]
}

/// CIE L*a*b* of an 8-bit sRGB pixel (linearised through palette's lookup table).
pub fn lab_u8(p: [u8; 3]) -> [f32; 3] {
    let linear: palette::LinSrgb<f32> = Srgb::new(p[0], p[1], p[2]).into_linear();
    let c: Lab = linear.into_color();
    [c.l, c.a, c.b]
}

/// Slots of the per-thread colour cache of [`labs_u8`] (16 bytes each: 1 MiB per thread).
const LAB_CACHE_SLOTS: usize = 1 << 16;

thread_local! {
    /// Colours already converted on this thread: a direct-mapped table keyed by the 24-bit
    /// colour (`u32::MAX` marks an empty slot). Kept for the thread's life, so a batch worker
    /// allocates it once.
    static LAB_CACHE: std::cell::RefCell<Vec<(u32, [f32; 3])>> = const {
        std::cell::RefCell::new(Vec::new())
    };
}

/// CIE L*a*b* of many 8-bit sRGB pixels, as [`lab_u8`] gives them, remembering the colours
/// already converted (a photo has far fewer distinct colours than pixels: a backdrop is a few
/// hundred) in a per-thread table of 65,536 entries keyed by the colour.
pub fn labs_u8<'a>(pixels: impl Iterator<Item = &'a [u8; 3]>) -> Vec<[f32; 3]> {
    LAB_CACHE.with_borrow_mut(|table| {
        if table.is_empty() {
            table.resize(LAB_CACHE_SLOTS, (u32::MAX, [0.0; 3]));
        }
        pixels
            .map(|p| {
                let key = u32::from(p[0]) << 16 | u32::from(p[1]) << 8 | u32::from(p[2]);
                // Fibonacci hashing spreads nearby colours over the table.
                let slot = &mut table[(key.wrapping_mul(0x9E37_79B9) >> 16) as usize];
                if slot.0 != key {
                    *slot = (key, lab_u8(*p));
                }
                slot.1
            })
            .collect()
    })
}

/// Chroma C*ab of a Lab colour.
pub fn chroma(lab: [f32; 3]) -> f32 {
    lab[1].hypot(lab[2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_pixels_convert_as_one_by_one() {
        let pixels: Vec<[u8; 3]> = (0..200_000u32)
            .map(|i| {
                let v = i.wrapping_mul(2_654_435_761);
                [(v >> 24) as u8 & 0x3f, (v >> 16) as u8, (i % 7) as u8 * 30]
            })
            .collect();
        let many = labs_u8(pixels.iter());
        for (p, l) in pixels.iter().zip(&many) {
            assert_eq!(*l, lab_u8(*p));
        }
    }

    #[test]
    fn white_and_black() {
        let w = lab_u8([255, 255, 255]);
        assert!((w[0] - 100.0).abs() < 0.1 && chroma(w) < 0.1, "{w:?}");
        let k = lab_u8([0, 0, 0]);
        assert!(k[0].abs() < 0.1);
        let grey = lab_u8([119, 119, 119]);
        let grey_f = lab([119.0, 119.0, 119.0]);
        assert!((grey[0] - grey_f[0]).abs() < 0.01 && (grey[0] - 50.0).abs() < 0.5);
        let red = lab_u8([255, 0, 0]);
        assert!(
            (red[0] - 53.2).abs() < 0.5 && chroma(red) > 100.0,
            "{red:?}"
        );
    }
}
