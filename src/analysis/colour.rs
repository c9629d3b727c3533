//! Stage: colour statistics of the person (is it a colour photo?), and the colour
//! conversions every stage uses: sRGB (8-bit) to CIE L*a*b* (D65), via `palette`.

use image::RgbImage;
use palette::{IntoColor, Lab, Srgb};
use serde::{Deserialize, Serialize};

use super::mesh::FaceMesh;
use super::sample::polygon_pixels;

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

/// Chroma C*ab of a Lab colour: `sqrt(a*^2 + b*^2)` (a*, b* stay within +-130, so the plain
/// formula needs none of `hypot`'s overflow guard, which costs a libm call per pixel).
pub fn chroma(lab: [f32; 3]) -> f32 {
    (lab[1] * lab[1] + lab[2] * lab[2]).sqrt()
}

/// Colour statistics of the photo: is it colour, greyscale or toned monochrome (sepia)?
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ColourStats {
    /// Mean chroma C*ab of the cheeks' skin.
    pub face_chroma: f64,
    /// Circular standard deviation of hue (degrees) over the photo's pixels with chroma >= 4
    /// (face, hair, clothes and backdrop); `None` when fewer than 50 such pixels exist (a
    /// greyscale photo).
    pub hue_spread_deg: Option<f64>,
    /// 95th percentile of chroma C*ab over the whole photo: a greyscale photo has almost none
    /// anywhere, a colour photo has it somewhere even when the face is blown out.
    #[serde(default)]
    pub photo_chroma_p95: f64,
    /// Hue angle difference between the lips and the cheeks, degrees (lips are redder than
    /// the skin around them in every skin tone; a toned photo gives both one hue); `None`
    /// when either has chroma under 3 (no hue to compare).
    #[serde(default)]
    pub lip_hue_difference_deg: Option<f64>,
}

/// Colour statistics of a photo: the cheeks' and lips' colour (from the mesh) and the
/// chroma and hue spread over the whole photo.
pub fn colour_stats(img: &RgbImage, mesh: &FaceMesh) -> ColourStats {
    let cheeks = super::head::cheek_labs(img, mesh);
    let face_chroma =
        cheeks.iter().map(|c| f64::from(chroma(*c))).sum::<f64>() / cheeks.len().max(1) as f64;
    let (w, h) = (img.width(), img.height());
    // About 10,000 samples: plenty for a spread of hue.
    let step = ((f64::from(w) * f64::from(h) / 10_000.0).sqrt().round() as u32).max(1);
    let samples: Vec<[u8; 3]> = (0..h)
        .step_by(step as usize)
        .flat_map(|y| (0..w).step_by(step as usize).map(move |x| (x, y)))
        .map(|(x, y)| img.get_pixel(x, y).0)
        .collect();
    let labs = labs_u8(samples.iter());
    let (mut sx, mut sy, mut m) = (0.0f64, 0.0f64, 0usize);
    let mut chromas: Vec<f32> = Vec::with_capacity(labs.len());
    for c in &labs {
        let ch = chroma(*c);
        chromas.push(ch);
        if ch >= 4.0 {
            let hue = f64::from(c[2]).atan2(f64::from(c[1]));
            sx += hue.cos();
            sy += hue.sin();
            m += 1;
        }
    }
    let hue_spread_deg = (m >= 50).then(|| {
        let r = (sx.hypot(sy) / m as f64).clamp(1e-9, 1.0);
        (-2.0 * r.ln()).sqrt().to_degrees()
    });
    let photo_chroma_p95 = if chromas.is_empty() {
        0.0
    } else {
        let k = (chromas.len() as f64 * 0.95) as usize;
        let k = k.min(chromas.len() - 1);
        f64::from(*chromas.select_nth_unstable_by(k, f32::total_cmp).1)
    };
    ColourStats {
        face_chroma,
        hue_spread_deg,
        photo_chroma_p95,
        lip_hue_difference_deg: lip_hue_difference(img, mesh, &cheeks),
    }
}

/// Mesh contour of the outer lips, closed, starting at the image-left corner 61.
const LIPS_OUTER: [usize; 20] = [
    61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185,
];
/// Mesh contour of the inner lips (the mouth opening).
const LIPS_INNER: [usize; 20] = [
    78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 415, 310, 311, 312, 13, 82, 81, 80, 191,
];

/// Hue difference, degrees, between the mean colour of the lips (outer lip outline minus the
/// opening) and of the cheeks.
fn lip_hue_difference(img: &RgbImage, mesh: &FaceMesh, cheeks: &[[f32; 3]]) -> Option<f64> {
    let outline = |ids: &[usize]| ids.iter().map(|&i| mesh.xy(i)).collect::<Vec<_>>();
    let opening: std::collections::HashSet<(u32, u32)> = polygon_pixels(img, &outline(&LIPS_INNER))
        .into_iter()
        .collect();
    let lips: Vec<[u8; 3]> = polygon_pixels(img, &outline(&LIPS_OUTER))
        .into_iter()
        .filter(|p| !opening.contains(p))
        .map(|(x, y)| img.get_pixel(x, y).0)
        .collect();
    if lips.len() < 10 || cheeks.is_empty() {
        return None;
    }
    let mean_ab = |labs: &[[f32; 3]]| {
        let n = labs.len() as f64;
        let (a, b) = labs.iter().fold((0.0, 0.0), |(a, b), c| {
            (a + f64::from(c[1]), b + f64::from(c[2]))
        });
        (a / n, b / n)
    };
    let (la, lb) = mean_ab(&labs_u8(lips.iter()));
    let (ca, cb) = mean_ab(cheeks);
    if la.hypot(lb) < 3.0 || ca.hypot(cb) < 3.0 {
        return None;
    }
    let d = (lb.atan2(la) - cb.atan2(ca)).to_degrees().rem_euclid(360.0);
    Some(d.min(360.0 - d))
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
