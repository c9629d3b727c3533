//! Person segmentation: the MediaPipe selfie-segmentation model (person including hair) run
//! with tract on a square window around the head, mapped back to a per-pixel probability map.

use image::RgbImage;

use super::mesh::{FaceMesh, idx};
use super::sample::{SquareRoi, window_input};
use crate::error::{Error, Result};
use crate::runtime::Network;

/// Person probability per pixel of the upright image (0 = background, 1 = person), row-major.
#[derive(Debug, Clone)]
pub struct PersonMask {
    /// Image width, px.
    pub width: u32,
    /// Image height, px.
    pub height: u32,
    /// Probability per pixel, `width * height` values in 0..1.
    pub prob: Vec<f32>,
}

impl PersonMask {
    /// Probability at pixel `(x, y)`; 0 outside the image.
    pub fn at(&self, x: i64, y: i64) -> f32 {
        if x < 0 || y < 0 || x >= i64::from(self.width) || y >= i64::from(self.height) {
            return 0.0;
        }
        self.prob[y as usize * self.width as usize + x as usize]
    }
}

/// The segmentation window for a head: a square of 2.5x the face size, centred a little above
/// the face centre so that the hair fits (edge-padded where it leaves the image). When a
/// square no larger than 3.2x the face covers the whole image (an ID photo), that square is
/// used instead, so one run gives the head at full precision and the whole backdrop.
pub fn head_roi(width: u32, height: u32, face_cx: f64, face_cy: f64, face_size: f64) -> SquareRoi {
    let longest = f64::from(width.max(height));
    let side = 2.5 * face_size;
    if longest <= 3.2 * face_size {
        return SquareRoi {
            cx: f64::from(width) / 2.0,
            cy: f64::from(height) / 2.0,
            side: side.max(longest),
            angle: 0.0,
        };
    }
    SquareRoi {
        cx: face_cx,
        cy: face_cy - 0.15 * face_size,
        side,
        angle: 0.0,
    }
}

/// The segmentation window for the face a (first) mesh found: [`head_roi`] of the face
/// oval's bounding box.
pub fn head_roi_for_mesh(img: &RgbImage, mesh: &FaceMesh) -> SquareRoi {
    let (x0, x1, y0, y1) = idx::FACE_OVAL.iter().fold(
        (f64::MAX, f64::MIN, f64::MAX, f64::MIN),
        |(a, b, c, d), &i| {
            let (x, y) = mesh.xy(i);
            (a.min(x), b.max(x), c.min(y), d.max(y))
        },
    );
    let face_size = (x1 - x0).max(y1 - y0);
    head_roi(
        img.width(),
        img.height(),
        (x0 + x1) / 2.0,
        (y0 + y1) / 2.0,
        face_size,
    )
}

fn run_window(net: &Network, img: &RgbImage, roi: &SquareRoi) -> Result<Vec<f32>> {
    let n = net.side();
    let out = net.run(window_input(img, roi, n))?;
    let mask = out
        .into_iter()
        .next()
        .filter(|m| m.len() == n * n)
        .ok_or_else(|| Error::Model("segmentation: unexpected output shape".into()))?;
    Ok(mask)
}

/// Bilinear taps of an n-sample mask axis at window coordinate `u` in 0..n: the two sample
/// indices and the weight of the second.
fn taps(n: usize, u: f64) -> (usize, usize, f32) {
    let fu = (u - 0.5).clamp(0.0, (n - 1) as f64);
    let u0 = fu.floor() as usize;
    (u0, (u0 + 1).min(n - 1), (fu - u0 as f64) as f32)
}

/// Bilinear sample of an n x n mask at window coordinates (u, v) in 0..n.
fn sample_mask(mask: &[f32], n: usize, u: f64, v: f64) -> f32 {
    sample_taps(mask, n, taps(n, u), taps(n, v))
}

fn sample_taps(mask: &[f32], n: usize, u: (usize, usize, f32), v: (usize, usize, f32)) -> f32 {
    let ((u0, u1, tu), (v0, v1, tv)) = (u, v);
    let top = mask[v0 * n + u0] * (1.0 - tu) + mask[v0 * n + u1] * tu;
    let bottom = mask[v1 * n + u0] * (1.0 - tu) + mask[v1 * n + u1] * tu;
    top * (1.0 - tv) + bottom * tv
}

/// Segments the person. The head window gives the precise mask; where it does not cover the
/// whole image, a second run on the whole image (as a square, edge-padded) fills the rest.
pub fn segment_person(net: &Network, img: &RgbImage, head: &SquareRoi) -> Result<PersonMask> {
    let (w, h) = (img.width(), img.height());
    let n = net.side();
    let head_mask = run_window(net, img, head)?;
    let half = head.side / 2.0;
    let covers = head.cx - half <= 0.0
        && head.cy - half <= 0.0
        && head.cx + half >= f64::from(w)
        && head.cy + half >= f64::from(h);
    let whole = if covers {
        None
    } else {
        let roi = SquareRoi {
            cx: f64::from(w) / 2.0,
            cy: f64::from(h) / 2.0,
            side: f64::from(w.max(h)),
            angle: 0.0,
        };
        Some((roi, run_window(net, img, &roi)?))
    };
    let mut prob = vec![0f32; w as usize * h as usize];
    let upright = head.angle == 0.0 && whole.as_ref().is_none_or(|(r, _)| r.angle == 0.0);
    if upright {
        // Unrotated windows: the window coordinates of a pixel are separable (u from x, v
        // from y), so the taps are computed once per column and once per row.
        let inside = |t: f64| (0.0..n as f64).contains(&t);
        let cols: Vec<_> = (0..w)
            .map(|x| {
                let px = f64::from(x) + 0.5;
                let u = head.to_window(px, head.cy, n).0;
                let whole_u = whole
                    .as_ref()
                    .map(|(r, _)| taps(n, r.to_window(px, r.cy, n).0));
                (inside(u), taps(n, u), whole_u)
            })
            .collect();
        for y in 0..h {
            let py = f64::from(y) + 0.5;
            let v = head.to_window(head.cx, py, n).1;
            let (v_inside, v_taps) = (inside(v), taps(n, v));
            let whole_v = whole
                .as_ref()
                .map(|(r, _)| taps(n, r.to_window(r.cx, py, n).1));
            let row = &mut prob[y as usize * w as usize..][..w as usize];
            for (out, (u_inside, u_taps, whole_u)) in row.iter_mut().zip(&cols) {
                *out = match (&whole, whole_u, whole_v, *u_inside && v_inside) {
                    (Some((_, m)), Some(wu), Some(wv), false) => sample_taps(m, n, *wu, wv),
                    _ => sample_taps(&head_mask, n, *u_taps, v_taps),
                };
            }
        }
        return Ok(PersonMask {
            width: w,
            height: h,
            prob,
        });
    }
    for y in 0..h {
        for x in 0..w {
            let (px, py) = (f64::from(x) + 0.5, f64::from(y) + 0.5);
            let (u, v) = head.to_window(px, py, n);
            let inside = (0.0..n as f64).contains(&u) && (0.0..n as f64).contains(&v);
            let p = match (&whole, inside) {
                (Some((roi, m)), false) => {
                    let (u, v) = roi.to_window(px, py, n);
                    sample_mask(m, n, u, v)
                }
                _ => sample_mask(&head_mask, n, u, v),
            };
            prob[y as usize * w as usize + x as usize] = p;
        }
    }
    Ok(PersonMask {
        width: w,
        height: h,
        prob,
    })
}
