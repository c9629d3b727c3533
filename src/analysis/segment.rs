//! Person segmentation: the MediaPipe selfie-segmentation model (person including hair) run
//! with tract on a square window around the head, mapped back to a per-pixel probability map.

use image::RgbImage;

use super::models::{Plan, SEGMENTATION_SIDE, run};
use super::sample::{SquareRoi, window_tensor};
use crate::error::{Error, Result};

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

fn run_window(plan: &Plan, img: &RgbImage, roi: &SquareRoi) -> Result<Vec<f32>> {
    let out = run(plan, window_tensor(img, roi, SEGMENTATION_SIDE))?;
    let mask = out
        .into_iter()
        .next()
        .filter(|m| m.len() == SEGMENTATION_SIDE * SEGMENTATION_SIDE)
        .ok_or_else(|| Error::Model("segmentation: unexpected output shape".into()))?;
    Ok(mask)
}

/// Bilinear sample of an n x n mask at window coordinates (u, v) in 0..n.
fn sample_mask(mask: &[f32], n: usize, u: f64, v: f64) -> f32 {
    let fu = (u - 0.5).clamp(0.0, (n - 1) as f64);
    let fv = (v - 0.5).clamp(0.0, (n - 1) as f64);
    let (u0, v0) = (fu.floor() as usize, fv.floor() as usize);
    let (u1, v1) = ((u0 + 1).min(n - 1), (v0 + 1).min(n - 1));
    let (tu, tv) = ((fu - u0 as f64) as f32, (fv - v0 as f64) as f32);
    let top = mask[v0 * n + u0] * (1.0 - tu) + mask[v0 * n + u1] * tu;
    let bottom = mask[v1 * n + u0] * (1.0 - tu) + mask[v1 * n + u1] * tu;
    top * (1.0 - tv) + bottom * tv
}

/// Segments the person. The head window gives the precise mask; where it does not cover the
/// whole image, a second run on the whole image (as a square, edge-padded) fills the rest.
pub fn segment_person(plan: &Plan, img: &RgbImage, head: &SquareRoi) -> Result<PersonMask> {
    let (w, h) = (img.width(), img.height());
    let n = SEGMENTATION_SIDE;
    let head_mask = run_window(plan, img, head)?;
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
        Some((roi, run_window(plan, img, &roi)?))
    };
    let mut prob = vec![0f32; w as usize * h as usize];
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
