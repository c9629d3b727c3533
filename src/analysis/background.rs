//! Stage: backdrop statistics (mean colour, lightness and colour-difference histograms) of
//! the pixels outside the person, in CIE L*a*b* (D65).

use image::{GrayImage, RgbImage};
use imageproc::distance_transform::Norm;
use serde::{Deserialize, Serialize};

use super::colour;
use super::segment::PersonMask;

/// The backdrop: pixels outside the person mask dilated by 1 % of the image height (see
/// `background_stats` for how thin hair strands are kept out of the dark share).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackgroundStats {
    /// Number of sampled backdrop pixels.
    pub pixels: usize,
    /// Share of the image that is backdrop (0..1).
    pub share_of_image: f64,
    /// Mean CIE L* (0..100).
    pub mean_lightness: f64,
    /// Mean chroma C*ab.
    pub mean_chroma: f64,
    /// Histogram of L* in 101 one-unit bins (bin i counts L* in [i, i+1)), after the closing
    /// that removes loose strands of hair.
    pub lightness_histogram: Vec<u32>,
    /// Mean colour `[L*, a*, b*]`.
    pub mean_lab: [f64; 3],
    /// Histogram of each pixel's colour difference from `mean_lab` (Delta E*ab) in one-unit bins
    /// 0..50 (the last bin counts 50 and more); pixels that belong to thin strands of hair (the
    /// closing brightened them by more than 5 L*) are left out.
    pub delta_e_histogram: Vec<u32>,
    /// Bands and fringes along the photo's edges (a border, a black bar, a coloured fringe
    /// left by a crop), over the backdrop and the person alike: for each edge, the share of
    /// positions along it where the outermost strip (1.5 % of the shorter side, at least 2 px)
    /// differs in colour from the strip just inside it by more than 15 (Delta E*ab); the
    /// largest of the four edges. A backdrop, hair or clothes that reach the edge continue
    /// across the two strips; a band does not.
    #[serde(default)]
    pub edge_band_share: f64,
}

impl BackgroundStats {
    /// Share (0..1) of backdrop pixels darker than `lightness` (L*).
    pub fn share_darker_than(&self, lightness: f64) -> f64 {
        let cut = lightness.clamp(0.0, 101.0).floor() as usize;
        let dark: u32 = self.lightness_histogram.iter().take(cut).sum();
        f64::from(dark) / (self.pixels.max(1) as f64)
    }

    /// Share (0..1) of backdrop pixels whose colour differs from the mean by more than
    /// `delta_e` (Delta E*ab, whole units).
    pub fn share_farther_than(&self, delta_e: f64) -> f64 {
        let cut = (delta_e.max(0.0).floor() as usize + 1).min(self.delta_e_histogram.len());
        let total: u32 = self.delta_e_histogram.iter().sum();
        let far: u32 = self.delta_e_histogram.iter().skip(cut).sum();
        f64::from(far) / f64::from(total.max(1))
    }
}

/// Longest side of the copy the backdrop statistics are computed on, px.
const BACKGROUND_SIDE: u32 = 480;

/// Backdrop statistics: pixels outside the person mask (probability >= 0.1, so that the fringe
/// of loose hair the model is unsure of stays out) dilated by 1 % of
/// the height. Mean L* and chroma are of the pixels themselves; the L* histogram (used for the
/// share of dark pixels) is taken after a grey-level closing of about 1.6 % of the height,
/// which removes dark structures thinner than that (loose strands of hair beside the head)
/// but keeps shadows, objects and borders.
pub fn background_stats(img: &RgbImage, mask: &PersonMask) -> Option<BackgroundStats> {
    let (w0, h0) = (img.width(), img.height());
    let s = (f64::from(w0.max(h0)) / f64::from(BACKGROUND_SIDE)).max(1.0);
    let (w, h) = (
        ((f64::from(w0) / s).round() as u32).max(1),
        ((f64::from(h0) / s).round() as u32).max(1),
    );
    let small = if s > 1.0 {
        std::borrow::Cow::Owned(super::sample::resize_triangle(img, w, h))
    } else {
        std::borrow::Cow::Borrowed(img)
    };
    // The person mask on the statistics copy: each copy pixel reads the mask at its centre.
    let person = if s > 1.0 || (mask.width, mask.height) != (w, h) {
        let xs: Vec<i64> = (0..w).map(|x| ((f64::from(x) + 0.5) * s) as i64).collect();
        let mut raw = Vec::with_capacity((w * h) as usize);
        for y in 0..h {
            let my = ((f64::from(y) + 0.5) * s) as i64;
            raw.extend(xs.iter().map(|&mx| person_level(mask.at(mx, my))));
        }
        GrayImage::from_raw(w, h, raw)
    } else {
        GrayImage::from_raw(w, h, mask.prob.iter().map(|&p| person_level(p)).collect())
    }
    .expect("one value per pixel");
    let radius = ((f64::from(h) * 0.01).round() as u8).max(1);
    let grown = imageproc::morphology::dilate(&person, Norm::LInf, radius);
    let labs = colour::labs_u8(small.pixels().map(|p| &p.0));
    // L* is never negative: adding a half and truncating rounds (without a libm call).
    let lightness = GrayImage::from_raw(
        w,
        h,
        labs.iter()
            .map(|l| (l[0] * 2.55 + 0.5).clamp(0.0, 255.0) as u8)
            .collect(),
    )
    .expect("one value per pixel");
    let close_r = ((f64::from(h) * 0.008).round() as u8).max(1);
    let closed = imageproc::morphology::grayscale_close(
        &lightness,
        &imageproc::morphology::Mask::square(close_r),
    );
    // Backdrop pixels: outside the grown person mask.
    let backdrop = || {
        grown
            .as_raw()
            .iter()
            .zip(closed.as_raw())
            .zip(lightness.as_raw())
            .zip(&labs)
            .filter(|(((g, _), _), _)| **g == 0)
            .map(|(((_, &closed), &light), c)| (closed, light, c))
    };
    let mut hist = vec![0u32; 101];
    let (mut n, mut sum_c) = (0usize, 0.0);
    let mut sum = [0.0f64; 3];
    for (closed, _, c) in backdrop() {
        n += 1;
        for k in 0..3 {
            sum[k] += f64::from(c[k]);
        }
        sum_c += f64::from(colour::chroma(*c));
        let lc = f32::from(closed) / 2.55;
        hist[(lc.clamp(0.0, 100.0)) as usize] += 1;
    }
    if n < 50 {
        return None;
    }
    let mean_lab = sum.map(|v| v / n as f64);
    let mut delta_e_histogram = vec![0u32; 51];
    for (closed, light, c) in backdrop() {
        let strand = f32::from(closed) - f32::from(light) > 5.0 * 2.55;
        if strand {
            continue;
        }
        let de = (0..3)
            .map(|k| (f64::from(c[k]) - mean_lab[k]).powi(2))
            .sum::<f64>()
            .sqrt();
        // A distance is never negative: truncating floors it (without a libm call).
        delta_e_histogram[(de as usize).min(50)] += 1;
    }
    let edge_band_share = edge_band_share(&labs, w, h);
    Some(BackgroundStats {
        edge_band_share,
        pixels: n,
        share_of_image: n as f64 / (f64::from(w) * f64::from(h)),
        mean_lightness: mean_lab[0],
        mean_chroma: sum_c / n as f64,
        lightness_histogram: hist,
        mean_lab,
        delta_e_histogram,
    })
}

/// 255 where the person probability is at least 0.1 (the person, with the fringe of loose hair
/// the model is unsure of), else 0.
fn person_level(p: f32) -> u8 {
    if p >= 0.1 { 255 } else { 0 }
}

/// The largest share, over the four edges, of positions where the outermost strip differs
/// from the next strip inward by more than 15 Delta E*ab (see
/// [`BackgroundStats::edge_band_share`]). `labs` is the image's Lab, row-major, `w` x `h`.
fn edge_band_share(labs: &[[f32; 3]], w: u32, h: u32) -> f64 {
    let s = ((f64::from(w.min(h)) * 0.015).round() as u32).max(2);
    if w < 4 * s || h < 4 * s {
        return 0.0;
    }
    let at = |x: u32, y: u32| labs[(y * w + x) as usize];
    // Mean Lab of `n` pixels stepping from (x, y) by (dx, dy).
    let mean = |x: u32, y: u32, dx: i64, dy: i64| {
        let mut m = [0.0f64; 3];
        for k in 0..i64::from(s) {
            let c = at(
                (i64::from(x) + dx * k) as u32,
                (i64::from(y) + dy * k) as u32,
            );
            for (mi, ci) in m.iter_mut().zip(c) {
                *mi += f64::from(ci);
            }
        }
        m.map(|v| v / f64::from(s))
    };
    let differs =
        |a: [f64; 3], b: [f64; 3]| (0..3).map(|k| (a[k] - b[k]).powi(2)).sum::<f64>().sqrt() > 15.0;
    let share = |n: u32, pair: &dyn Fn(u32) -> ([f64; 3], [f64; 3])| {
        let hits = (0..n).filter(|&i| {
            let (a, b) = pair(i);
            differs(a, b)
        });
        hits.count() as f64 / f64::from(n.max(1))
    };
    let top = share(w, &|x| (mean(x, 0, 0, 1), mean(x, s, 0, 1)));
    let bottom = share(w, &|x| (mean(x, h - 1, 0, -1), mean(x, h - 1 - s, 0, -1)));
    let left = share(h, &|y| (mean(0, y, 1, 0), mean(s, y, 1, 0)));
    let right = share(h, &|y| (mean(w - 1, y, -1, 0), mean(w - 1 - s, y, -1, 0)));
    top.max(bottom).max(left).max(right)
}
