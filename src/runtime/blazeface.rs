//! MediaPipe's BlazeFace short-range face detector run with tract: the engine's first face
//! detector (it also finds faces SeetaFace's frontal cascade misses: behind sunglasses, a mask,
//! a scarf, tilted, small second faces).

use image::RgbImage;

use super::FaceBox;
use super::network::Network;
use crate::error::{Error, Result};

/// MediaPipe BlazeFace short range, Apache-2.0.
pub(super) const BLAZEFACE_ONNX: &[u8] =
    include_bytes!("../../models/face_detection_short_range.onnx");

/// Input side of the model, px.
const SIDE: usize = 128;

/// BlazeFace on both runtimes.
pub(super) const BLAZEFACE: super::Embedded = super::Embedded {
    name: "BlazeFace",
    side: SIDE,
    tract: BLAZEFACE_ONNX,
    source: source!("face_detection_short_range.onnx", BLAZEFACE_ONNX),
    in_binary: true,
};
/// Anchors of the model: 16 x 16 x 2 (stride 8) and 8 x 8 x 6 (stride 16).
const ANCHORS: usize = 896;

/// BlazeFace short range: input `[1, 128, 128, 3]` RGB scaled to -1..1 (the photo fitted
/// into the square, padded), outputs 896 anchor-relative boxes (16 values each) and logits.
pub struct BlazeFace {
    net: Network,
}

impl BlazeFace {
    /// Smallest face probability kept (MediaPipe's own threshold).
    pub const MIN_PROBABILITY: f64 = 0.5;

    /// The embedded model on tract, loading on a thread of its own (the first run waits for
    /// it).
    pub fn embedded() -> BlazeFace {
        BlazeFace::on(super::Runtime::Tract)
    }

    /// The embedded model on `runtime`, loading on a thread of its own.
    pub fn on(runtime: super::Runtime) -> BlazeFace {
        BlazeFace {
            net: Network::spawn_on(runtime, BLAZEFACE, super::Optimisation::CodegenOnly),
        }
    }

    /// Waits until the model is loaded.
    ///
    /// Errors: [`Error::Model`] when it could not be loaded (a build problem).
    pub fn ready(&self) -> Result<()> {
        self.net.ready()
    }

    /// Faces in an RGB image, px of that image, best first, overlapping boxes suppressed.
    /// [`FaceBox::score`] is 100 x the face probability (so that it clears
    /// [`crate::analysis::detect::MIN_FACE_SCORE`], which is on SeetaFace's scale).
    ///
    /// Errors: [`Error::Model`] when the model cannot be loaded or run.
    pub fn detect(&self, img: &RgbImage) -> Result<Vec<FaceBox>> {
        let (w, h) = (img.width().max(1), img.height().max(1));
        let longest = f64::from(w.max(h));
        let scale = SIDE as f64 / longest;
        let (sw, sh) = (
            ((f64::from(w) * scale).round() as u32).clamp(1, SIDE as u32),
            ((f64::from(h) * scale).round() as u32).clamp(1, SIDE as u32),
        );
        let small = crate::analysis::sample::resize_triangle(img, sw, sh);
        // Centred in the square, padded with black (MediaPipe's letterbox).
        let (ox, oy) = ((SIDE as u32 - sw) / 2, (SIDE as u32 - sh) / 2);
        let mut input = vec![-1.0f32; SIDE * SIDE * 3];
        for (x, y, p) in small.enumerate_pixels() {
            let i = (((y + oy) as usize) * SIDE + (x + ox) as usize) * 3;
            for c in 0..3 {
                input[i + c] = f32::from(p[c]) / 127.5 - 1.0;
            }
        }
        let outputs = self.net.run(input)?;
        let (boxes, logits) = match outputs.as_slice() {
            [a, b, ..] if a.len() == ANCHORS * 16 && b.len() == ANCHORS => (a, b),
            [a, b, ..] if b.len() == ANCHORS * 16 && a.len() == ANCHORS => (b, a),
            _ => return Err(Error::Model("BlazeFace: unexpected output shapes".into())),
        };
        let anchors = anchors();
        let mut found: Vec<FaceBox> = Vec::new();
        for (i, (ax, ay)) in anchors.iter().enumerate() {
            let p = 1.0 / (1.0 + (-f64::from(logits[i].clamp(-100.0, 100.0))).exp());
            if p < Self::MIN_PROBABILITY {
                continue;
            }
            let r = &boxes[i * 16..i * 16 + 16];
            let n = SIDE as f64;
            // Keypoints 0 and 1 are the eyes, 3 the mouth (y offsets at 5, 7 and 11): a face
            // whose eyes are not above its mouth is on its side or upside down, which the
            // analysis reports as such instead of measuring it.
            let (eyes_y, mouth_y) = ((f64::from(r[5]) + f64::from(r[7])) / 2.0, f64::from(r[11]));
            if eyes_y >= mouth_y {
                continue;
            }
            let cx = f64::from(r[0]) / n + ax;
            let cy = f64::from(r[1]) / n + ay;
            let (bw, bh) = (f64::from(r[2]) / n, f64::from(r[3]) / n);
            // From the padded square (0..1) to image px.
            let to_x = |u: f64| (u * n - f64::from(ox)) / scale;
            let to_y = |v: f64| (v * n - f64::from(oy)) / scale;
            // Keypoints 0 and 1: the eyes (image left first), offsets from the anchor.
            let eye = |k: usize| {
                [
                    to_x(f64::from(r[4 + 2 * k]) / n + ax),
                    to_y(f64::from(r[5 + 2 * k]) / n + ay),
                ]
            };
            let (e0, e1) = (eye(0), eye(1));
            found.push(FaceBox {
                x: to_x(cx - bw / 2.0),
                y: to_y(cy - bh / 2.0),
                width: bw * n / scale,
                height: bh * n / scale,
                score: 100.0 * p,
                eyes: Some(if e0[0] <= e1[0] { [e0, e1] } else { [e1, e0] }),
            });
        }
        found.sort_by(|a, b| b.score.total_cmp(&a.score));
        let mut kept: Vec<FaceBox> = Vec::new();
        for f in found {
            if kept.iter().all(|k| iou(k, &f) < 0.3) {
                kept.push(f);
            }
        }
        Ok(kept)
    }
}

/// Anchor centres (0..1) of the short-range model, in its output order: SSD anchors for a
/// 128 px input, strides 8, 16, 16, 16, two anchors per cell and layer, fixed size.
fn anchors() -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(ANCHORS);
    for (cells, per_cell) in [(16usize, 2usize), (8, 6)] {
        for y in 0..cells {
            for x in 0..cells {
                for _ in 0..per_cell {
                    out.push((
                        (x as f64 + 0.5) / cells as f64,
                        (y as f64 + 0.5) / cells as f64,
                    ));
                }
            }
        }
    }
    out
}

/// Intersection over union of two boxes.
fn iou(a: &FaceBox, b: &FaceBox) -> f64 {
    let ix = (a.x + a.width).min(b.x + b.width) - a.x.max(b.x);
    let iy = (a.y + a.height).min(b.y + b.height) - a.y.max(b.y);
    if ix <= 0.0 || iy <= 0.0 {
        return 0.0;
    }
    let inter = ix * iy;
    inter / (a.width * a.height + b.width * b.height - inter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchor_layout_matches_the_model() {
        let a = anchors();
        assert_eq!(a.len(), ANCHORS);
        assert_eq!(a[0], (1.0 / 32.0, 1.0 / 32.0));
        assert_eq!(a[511], (31.0 / 32.0, 31.0 / 32.0));
        assert_eq!(a[512], (1.0 / 16.0, 1.0 / 16.0));
    }
}
