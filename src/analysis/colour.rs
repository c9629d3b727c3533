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

/// Chroma C*ab of a Lab colour.
pub fn chroma(lab: [f32; 3]) -> f32 {
    lab[1].hypot(lab[2])
}

#[cfg(test)]
mod tests {
    use super::*;

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
