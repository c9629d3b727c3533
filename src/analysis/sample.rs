//! Resampling a rotated square window of the photo into a model's NHWC input.

use image::{GrayImage, Luma, RgbImage};
use imageproc::drawing::draw_polygon_mut;
use imageproc::point::Point;

/// A square window of the photo, possibly rotated: centre and side in upright-image px
/// (continuous coordinates: pixel i spans [i, i+1)), rotation in radians (the window's x axis
/// points along (cos a, sin a) in the image, y down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SquareRoi {
    /// Centre x, px.
    pub cx: f64,
    /// Centre y, px.
    pub cy: f64,
    /// Side, px.
    pub side: f64,
    /// Rotation, radians.
    pub angle: f64,
}

impl SquareRoi {
    /// Maps a point in window units (0..n along each side of an n x n model input) to image px.
    pub fn to_image(&self, u: f64, v: f64, n: usize) -> (f64, f64) {
        let s = self.side / n as f64;
        let dx = (u - n as f64 / 2.0) * s;
        let dy = (v - n as f64 / 2.0) * s;
        let (sin, cos) = self.angle.sin_cos();
        (self.cx + dx * cos - dy * sin, self.cy + dx * sin + dy * cos)
    }

    /// Maps an image point (px) to window units (0..n).
    pub fn to_window(&self, x: f64, y: f64, n: usize) -> (f64, f64) {
        let s = self.side / n as f64;
        let (dx, dy) = (x - self.cx, y - self.cy);
        let (sin, cos) = self.angle.sin_cos();
        (
            (dx * cos + dy * sin) / s + n as f64 / 2.0,
            (-dx * sin + dy * cos) / s + n as f64 / 2.0,
        )
    }
}

/// `img` resized to `width` x `height` px with a triangle (bilinear) filter whose support widens
/// with the reduction: what `image::imageops::resize` with `FilterType::Triangle` computes (both
/// follow Pillow's convolution; 8-bit results agree within one level), by `fast_image_resize`'s
/// SIMD kernels, several times faster on a large photo. Falls back to `image`'s resize if the
/// fast one refuses (it does not for RGB images of at least 1 x 1 px).
pub fn resize_triangle(img: &RgbImage, width: u32, height: u32) -> RgbImage {
    use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
    let mut out = RgbImage::new(width, height);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear));
    match Resizer::new().resize(img, &mut out, &options) {
        Ok(()) => out,
        Err(_) => {
            image::imageops::resize(img, width, height, image::imageops::FilterType::Triangle)
        }
    }
}

/// Bilinear RGB sample at continuous image coordinates, edge-replicated outside the image.
pub fn bilinear(img: &RgbImage, x: f64, y: f64) -> [f32; 3] {
    Bilinear::new(img).at(x, y)
}

/// Fills a `[1, n, n, 3]` NHWC input (`n * n * 3` f32 values, row-major, RGB scaled to
/// [0, 1]) from the window, sampling the image bilinearly (edge-replicated outside it, as
/// [`bilinear`]). When the window is more than twice the input size, each output pixel averages
/// a 2x2 grid of samples to limit aliasing.
pub fn window_input(img: &RgbImage, roi: &SquareRoi, n: usize) -> Vec<f32> {
    let mut data = vec![0f32; n * n * 3];
    let step = roi.side / n as f64;
    let offsets: &[(f64, f64)] = if step > 2.0 {
        &[(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)]
    } else {
        &[(0.5, 0.5)]
    };
    if roi.angle == 0.0 {
        upright_window_input(img, roi, n, offsets, &mut data);
        return data;
    }
    let norm = 1.0 / (255.0 * offsets.len() as f32);
    // `SquareRoi::to_image` unrolled: the image point of window point (u, v) moves by
    // (step cos, step sin) per u and (-step sin, step cos) per v.
    let (sin, cos) = roi.angle.sin_cos();
    let (du_x, du_y) = (step * cos, step * sin);
    let (dv_x, dv_y) = (-step * sin, step * cos);
    let half = n as f64 / 2.0;
    let (x00, y00) = (
        roi.cx - half * du_x - half * dv_x,
        roi.cy - half * du_y - half * dv_y,
    );
    let sampler = Bilinear::new(img);
    // The image offset of each sample from its pixel's corner, then step along each row.
    let offsets: Vec<(f64, f64)> = offsets
        .iter()
        .map(|(ou, ov)| (ou * du_x + ov * dv_x, ou * du_y + ov * dv_y))
        .collect();
    for (v, row) in data.chunks_exact_mut(n * 3).enumerate() {
        let (mut x, mut y) = (x00 + v as f64 * dv_x, y00 + v as f64 * dv_y);
        if let [(ox, oy)] = offsets[..] {
            for out in row.chunks_exact_mut(3) {
                let p = sampler.at(x + ox, y + oy);
                for c in 0..3 {
                    out[c] = p[c] * norm;
                }
                x += du_x;
                y += du_y;
            }
            continue;
        }
        for out in row.chunks_exact_mut(3) {
            let mut acc = [0f32; 3];
            for (ox, oy) in &offsets {
                let p = sampler.at(x + ox, y + oy);
                for c in 0..3 {
                    acc[c] += p[c];
                }
            }
            for c in 0..3 {
                out[c] = acc[c] * norm;
            }
            x += du_x;
            y += du_y;
        }
    }
    data
}

/// The bilinear taps of the samples at `offsets` (fractions of a window pixel) of window pixel
/// `i` along one image axis of `len` px, edge-replicated: `(pixel index, weight)`, the weights
/// summing to one. Window pixel `i` starts at image coordinate `origin + i * step`.
fn axis_taps(origin: f64, step: f64, i: usize, offsets: &[f64], len: i64) -> [(usize, f32); 4] {
    let mut taps = [(0usize, 0f32); 4];
    let share = 1.0 / offsets.len() as f32;
    for (k, o) in offsets.iter().enumerate() {
        let f = origin + (i as f64 + o) * step - 0.5;
        let i0 = f.floor();
        let t = (f - i0) as f32;
        let i0 = i0 as i64;
        taps[2 * k] = (i0.clamp(0, len - 1) as usize, (1.0 - t) * share);
        taps[2 * k + 1] = ((i0 + 1).clamp(0, len - 1) as usize, t * share);
    }
    taps
}

/// [`window_input`] for an unrotated window: the average of the bilinear samples of a window
/// pixel is separable (a weighted sum over at most four image columns, then over at most four
/// image rows), so each image row the window needs is filtered along x once, and the rows are
/// then blended: the same values as sampling each point (to float rounding), at a fraction of
/// the work when the window is much larger than the input (segmentation of a large photo).
fn upright_window_input(
    img: &RgbImage,
    roi: &SquareRoi,
    n: usize,
    offsets: &[(f64, f64)],
    data: &mut [f32],
) {
    let step = roi.side / n as f64;
    let (w, h) = (i64::from(img.width()), i64::from(img.height()));
    let (x0, y0) = (roi.cx - roi.side / 2.0, roi.cy - roi.side / 2.0);
    let ou: Vec<f64> = offsets
        .iter()
        .map(|o| o.0)
        .take(if offsets.len() == 4 { 2 } else { 1 })
        .collect();
    let used = 2 * ou.len();
    let cols: Vec<_> = (0..n).map(|u| axis_taps(x0, step, u, &ou, w)).collect();
    let rows: Vec<_> = (0..n).map(|v| axis_taps(y0, step, v, &ou, h)).collect();
    // The image rows the window reads, filtered along x on first use.
    let (first, last) = rows
        .iter()
        .flat_map(|r| r[..used].iter().map(|t| t.0))
        .fold((usize::MAX, 0), |(lo, hi), j| (lo.min(j), hi.max(j)));
    let raw = img.as_raw();
    let stride = img.width() as usize * 3;
    let mut filtered: Vec<Option<Vec<f32>>> = vec![None; last + 1 - first];
    for (v, out_row) in data.chunks_exact_mut(n * 3).enumerate() {
        out_row.fill(0.0);
        for &(j, wy) in &rows[v][..used] {
            let line = filtered[j - first].get_or_insert_with(|| {
                let pixels = &raw[j * stride..(j + 1) * stride];
                if used == 2 {
                    filter_line::<2>(pixels, &cols)
                } else {
                    filter_line::<4>(pixels, &cols)
                }
            });
            for (o, l) in out_row.iter_mut().zip(line.iter()) {
                *o += wy * l;
            }
        }
        for o in out_row.iter_mut() {
            *o /= 255.0;
        }
    }
}

/// One image row (RGB bytes) filtered along x: for each window column, the weighted sum of its
/// first `K` taps, per channel.
fn filter_line<const K: usize>(pixels: &[u8], cols: &[[(usize, f32); 4]]) -> Vec<f32> {
    let mut line = vec![0f32; cols.len() * 3];
    for (out, taps) in line.chunks_exact_mut(3).zip(cols) {
        let mut acc = [0f32; 3];
        for &(i, wx) in &taps[..K] {
            let p = &pixels[i * 3..i * 3 + 3];
            acc[0] += wx * f32::from(p[0]);
            acc[1] += wx * f32::from(p[1]);
            acc[2] += wx * f32::from(p[2]);
        }
        out.copy_from_slice(&acc);
    }
    line
}

/// Bilinear RGB sampling straight from an image's buffer, for many samples of one image (what
/// [`bilinear`] does for one).
struct Bilinear<'a> {
    raw: &'a [u8],
    width: i64,
    height: i64,
}

impl<'a> Bilinear<'a> {
    fn new(img: &'a RgbImage) -> Bilinear<'a> {
        Bilinear {
            raw: img.as_raw(),
            width: i64::from(img.width()),
            height: i64::from(img.height()),
        }
    }

    /// The sample at continuous image coordinates (pixel i spans [i, i+1)), edge-replicated
    /// outside the image.
    #[inline(always)]
    fn at(&self, x: f64, y: f64) -> [f32; 3] {
        let (fx, fy) = (x - 0.5, y - 0.5);
        // floor without a libm call (the default x86-64 target has no rounding instruction).
        let floor = |v: f64| {
            let t = v as i64;
            t - i64::from(v < t as f64)
        };
        let (x0, y0) = (floor(fx), floor(fy));
        let (tx, ty) = ((fx - x0 as f64) as f32, (fy - y0 as f64) as f32);
        let (w, h) = (self.width, self.height);
        let raw = self.raw;
        let blend = |top: &[u8], bottom: &[u8], dx: usize| -> [f32; 3] {
            let mut out = [0f32; 3];
            for c in 0..3 {
                let t = f32::from(top[c]) * (1.0 - tx) + f32::from(top[c + dx]) * tx;
                let b = f32::from(bottom[c]) * (1.0 - tx) + f32::from(bottom[c + dx]) * tx;
                out[c] = t * (1.0 - ty) + b * ty;
            }
            out
        };
        if x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h {
            // Inside: the two pixels of each row are adjacent (one slice per row).
            let i = ((y0 * w + x0) * 3) as usize;
            let row = (w * 3) as usize;
            return blend(&raw[i..i + 6], &raw[i + row..i + row + 6], 3);
        }
        let (xa, xb) = (x0.clamp(0, w - 1), (x0 + 1).clamp(0, w - 1));
        let (ya, yb) = (y0.clamp(0, h - 1), (y0 + 1).clamp(0, h - 1));
        let at = |x: i64, y: i64| ((y * w + x) * 3) as usize;
        let mut top = [0u8; 6];
        let mut bottom = [0u8; 6];
        for c in 0..3 {
            top[c] = raw[at(xa, ya) + c];
            top[c + 3] = raw[at(xb, ya) + c];
            bottom[c] = raw[at(xa, yb) + c];
            bottom[c + 3] = raw[at(xb, yb) + c];
        }
        blend(&top, &bottom, 3)
    }
}

/// The pixel box `[x0, x1) x [y0, y1)` clipped to the image.
pub fn clip_box(img: &RgbImage, x0: f64, y0: f64, x1: f64, y1: f64) -> [u32; 4] {
    let cx = |v: f64| v.round().clamp(0.0, f64::from(img.width())) as u32;
    let cy = |v: f64| v.round().clamp(0.0, f64::from(img.height())) as u32;
    [cx(x0), cy(y0), cx(x1), cy(y1)]
}

/// The pixels inside a polygon (image px), filled with imageproc; none for a polygon that
/// collapses to fewer than three distinct points.
pub fn polygon_pixels(img: &RgbImage, poly: &[(f64, f64)]) -> Vec<(u32, u32)> {
    let (xs, ys): (Vec<f64>, Vec<f64>) = poly.iter().copied().unzip();
    let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let max = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let [x0, y0, x1, y1] = clip_box(
        img,
        min(&xs).floor(),
        min(&ys).floor(),
        max(&xs).ceil() + 1.0,
        max(&ys).ceil() + 1.0,
    );
    if x1 <= x0 || y1 <= y0 {
        return Vec::new();
    }
    let mut points: Vec<Point<i32>> = Vec::with_capacity(poly.len());
    for &(x, y) in poly {
        let p = Point::new(
            (x - f64::from(x0)).round() as i32,
            (y - f64::from(y0)).round() as i32,
        );
        if points.last() != Some(&p) {
            points.push(p);
        }
    }
    while points.len() > 1 && points.first() == points.last() {
        points.pop();
    }
    if points.len() < 3 {
        return Vec::new();
    }
    let mut canvas = GrayImage::new(x1 - x0, y1 - y0);
    draw_polygon_mut(&mut canvas, &points, Luma([255u8]));
    canvas
        .enumerate_pixels()
        .filter(|(_, _, p)| p.0[0] > 0)
        .map(|(x, y, _)| (x + x0, y + y0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast triangle resize gives what `image`'s does, within one level, when reducing a
    /// photo (by small and large factors) and when enlarging it.
    #[test]
    fn triangle_resize_is_images_within_one_level() {
        let img = image::open(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/grace_hopper.jpg"
        ))
        .expect("fixture")
        .to_rgb8();
        for (w, h) in [(88, 128), (330, 401), (17, 9), (700, 900)] {
            let want = image::imageops::resize(&img, w, h, image::imageops::FilterType::Triangle);
            let got = resize_triangle(&img, w, h);
            let worst = got
                .as_raw()
                .iter()
                .zip(want.as_raw())
                .map(|(a, b)| a.abs_diff(*b))
                .max();
            assert!(worst <= Some(1), "{w} x {h}: {worst:?}");
        }
    }

    #[test]
    fn window_mapping_round_trips() {
        let roi = SquareRoi {
            cx: 100.0,
            cy: 80.0,
            side: 150.0,
            angle: 0.3,
        };
        let (x, y) = roi.to_image(10.0, 150.0, 192);
        let (u, v) = roi.to_window(x, y, 192);
        assert!((u - 10.0).abs() < 1e-9 && (v - 150.0).abs() < 1e-9);
        let (cx, cy) = roi.to_image(96.0, 96.0, 192);
        assert!((cx - 100.0).abs() < 1e-9 && (cy - 80.0).abs() < 1e-9);
    }

    /// The unrolled window sampling gives what sampling each window point through
    /// `SquareRoi::to_image` and `bilinear` gives, rotated, inside and beyond the image, with
    /// one sample and with four per input pixel.
    #[test]
    fn window_input_is_bilinear_sampling_of_the_window() {
        let img = RgbImage::from_fn(90, 70, |x, y| {
            image::Rgb([
                (x * 7 % 251) as u8,
                (y * 11 % 253) as u8,
                ((x * y) % 255) as u8,
            ])
        });
        for (side, angle) in [
            (60.0, 0.0),
            (60.0, 0.4),
            (150.0, -0.3),
            (150.0, 0.0),
            (70.0, 0.0),
        ] {
            let roi = SquareRoi {
                cx: 40.0,
                cy: 30.0,
                side,
                angle,
            };
            let n = 32;
            let got = window_input(&img, &roi, n);
            let offsets: &[(f64, f64)] = if side / n as f64 > 2.0 {
                &[(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)]
            } else {
                &[(0.5, 0.5)]
            };
            for v in 0..n {
                for u in 0..n {
                    for c in 0..3 {
                        let want = offsets
                            .iter()
                            .map(|(ou, ov)| {
                                let (x, y) = roi.to_image(u as f64 + ou, v as f64 + ov, n);
                                bilinear(&img, x, y)[c]
                            })
                            .sum::<f32>()
                            / (255.0 * offsets.len() as f32);
                        let diff = (got[(v * n + u) * 3 + c] - want).abs();
                        assert!(diff < 1e-4, "({u}, {v}) channel {c}: {diff}");
                    }
                }
            }
        }
    }
}
