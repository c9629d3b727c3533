//! Stage: the face's appearance, read from the pixels of regions the face mesh outlines: eyes
//! (open or closed), mouth (closed, teeth), expression (smile), glasses (frame, tinted lenses,
//! glare), lighting (left/right balance), exposure, sharpness and what covers the top of the
//! head. No network runs here: every measure is a few hundred pixel reads on the working copy
//! (well under a millisecond), and every length is in inter-eye distances (IPD, between the
//! mesh's eye centres) so that the measures do not depend on the photo's size.
//!
//! Lightness values are CIE L* (D65, 0 black .. 100 white); the face's own skin lightness
//! (the cheeks, [`super::head::cheek_labs`]) is the reference for the relative ones, so that
//! the measures hold for every skin tone.

use image::{GrayImage, RgbImage, imageops};
use serde::{Deserialize, Serialize};

use super::colour::{chroma, labs_u8};
use super::head::{HeadGeometry, cheek_labs};
use super::mesh::FaceMesh;
use super::sample::{SquareRoi, clip_box, polygon_pixels, window_input};
use super::segment::PersonMask;
use crate::error::Result;
use crate::runtime::Network;

/// Face-mesh contours (canonical MediaPipe topology) the appearance measures read.
pub mod idx {
    /// Eye contour of the image-left eye (subject's right), closed, starting at the outer
    /// corner 33; the upper lid centre is 159, the lower 145.
    pub const EYE_LEFT_CONTOUR: [usize; 16] = [
        33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246,
    ];
    /// Eye contour of the image-right eye (subject's left), closed, starting at the outer
    /// corner 263; the upper lid centre is 386, the lower 374.
    pub const EYE_RIGHT_CONTOUR: [usize; 16] = [
        263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466,
    ];
    /// Outer lip contour, closed, starting at the image-left corner 61.
    pub const LIPS_OUTER: [usize; 20] = [
        61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185,
    ];
    /// Cheek centres (image left, image right), for the lighting balance.
    pub const CHEEKS: [usize; 2] = [205, 425];
    /// Inner lip contour (the mouth opening), closed, starting at the image-left corner 78.
    pub const LIPS_INNER: [usize; 20] = [
        78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 415, 310, 311, 312, 13, 82, 81, 80, 191,
    ];
    /// Mouth corners (image left, image right).
    pub const MOUTH_CORNERS: [usize; 2] = [61, 291];
    /// Upper and lower lip, inner centre points.
    pub const LIP_CENTRES: [usize; 2] = [13, 14];
    /// Face-oval points at temple level (image left, image right).
    pub const TEMPLES: [usize; 2] = [127, 356];
}

/// Iris contrast (L*) under which the iris-landmark model measures the eyelids: an open eye
/// in a photo exposed right shows far more (the photo suite's faces: 95 % above 11).
pub const IRIS_MODEL_BELOW: f64 = 12.0;

/// What the face's pixels show. Lengths are in IPD (inter-eye distances), lightness in L*.
/// Pairs are `[image-left, image-right]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Appearance {
    /// Median L* of the cheeks' skin: the reference for the relative measures.
    pub skin_lightness: f64,
    /// Iris contrast per eye, L*: inside the mesh's eye outline, the mean lightness of the
    /// outer quarters of the columns minus the darkest column of the middle half. An open
    /// eye shows a dark iris between lighter sclera; a closed lid is even across.
    pub iris_contrast: [f64; 2],
    /// Eyelid opening per eye from MediaPipe's iris-landmark model (upper to lower lid at the
    /// centre / corner to corner, on the model's refined eye contour), for each eye whose
    /// [`Appearance::iris_contrast`] is under [`IRIS_MODEL_BELOW`] (its look leaves its
    /// openness in doubt); `None` for an eye that is plainly open, so that most photos do not
    /// pay for the model.
    pub eyelid_opening: [Option<f64>; 2],
    /// Mouth opening: inner-lip gap at the centre / mouth width (corner to corner).
    pub mouth_opening: f64,
    /// Share of the mouth opening (inner-lip outline, widened by 0.04 IPD above and below)
    /// that is teeth (more than 15 L* lighter than the lips) or mouth cavity (more than 25 L*
    /// darker).
    pub teeth_share: f64,
    /// Mouth corners' lift above the lips' centre line, in mouth widths (positive = corners up,
    /// a smile; negative = corners down), with the eye line's roll taken out.
    pub corner_lift: f64,
    /// Mouth width / IPD (a broad smile widens the mouth).
    pub mouth_width: f64,
    /// How much darker the skin under the eyes (inside where a lens would be) is than the
    /// lighter mid-cheek ([`Appearance::side_lightness`]), L* (tinted lenses and sunglasses
    /// darken it).
    pub lens_darkening: f64,
    /// Share of the area around each eye (0.8 x 0.5 IPD, both eyes) that is near-white
    /// (L* >= 95, chroma < 8) and more than 10 L* lighter than the skin: reflections on
    /// glasses (a blown-out face is `highlight_share`).
    pub glare_share: f64,
    /// Median L* of each cheek (a square of 0.3 IPD on the mesh's cheek centre)
    /// `[image-left, image-right]`.
    pub side_lightness: [f64; 2],
    /// Share of the face oval's pixels that are blown out (L* >= 97).
    pub highlight_share: f64,
    /// 99th percentile of L* over the face oval: the face's highlights (forehead, nose,
    /// catchlights) reach well above the skin in a photo exposed right, whatever the skin tone;
    /// under-exposed, nothing does.
    pub face_highlight_lightness: f64,
    /// Blur of the face, 0 (sharp) .. 1 (blurred): Crete et al.'s no-reference blur effect
    /// (SPIE 6492, 2007), the largest over rows and columns, on the grey face from the brows
    /// to the mouth, reduced to 40 px per IPD when it is larger (never enlarged).
    pub blur: f64,
    /// Head top region: median chroma C*ab.
    pub head_top_chroma: Option<f64>,
    /// Head top region: colour difference (CIE76 ΔE) from the hair beside the temples, when
    /// hair is seen there.
    pub head_top_vs_side_hair: Option<f64>,
    /// Head top region: colour difference (CIE76 ΔE) from the cheeks' skin.
    pub head_top_vs_skin: Option<f64>,
    /// Height of the head above the mesh's forehead point (crown to forehead), IPD.
    pub head_top_height: f64,
}

/// Measures the appearance of the face of `mesh` (working-copy px) on `img`, with the head
/// geometry (same px) and the person mask.
///
/// Errors: [`crate::Error::Model`] when the iris-landmark model, run for eyes in doubt, cannot
/// be loaded or run.
pub fn appearance(
    img: &RgbImage,
    mesh: &FaceMesh,
    head: &HeadGeometry,
    mask: &PersonMask,
    iris: &Network,
) -> Result<Appearance> {
    let (el, er) = (mesh.eye_left(), mesh.eye_right());
    let ipd = (er.0 - el.0).hypot(er.1 - el.1).max(4.0);
    let roll = (er.1 - el.1).atan2(er.0 - el.0);
    let skin = cheek_labs(img, mesh);
    let skin_l = median(skin.iter().map(|c| f64::from(c[0])).collect());
    let skin_a = median(skin.iter().map(|c| f64::from(c[1])).collect());
    let skin_b = median(skin.iter().map(|c| f64::from(c[2])).collect());
    let skin_lab = [skin_l, skin_a, skin_b];
    let pts = |ids: &[usize]| ids.iter().map(|&i| mesh.xy(i)).collect::<Vec<_>>();
    let dist = |a: usize, b: usize| {
        let (p, q) = (mesh.xy(a), mesh.xy(b));
        (p.0 - q.0).hypot(p.1 - q.1)
    };

    // Eyes.
    let iris_contrast = [
        column_contrast(img, &polygon_pixels(img, &pts(&idx::EYE_LEFT_CONTOUR))),
        column_contrast(img, &polygon_pixels(img, &pts(&idx::EYE_RIGHT_CONTOUR))),
    ];
    let in_doubt = |i: usize| iris_contrast[i] < IRIS_MODEL_BELOW;
    let eyelid_opening = [
        in_doubt(0)
            .then(|| eyelid_opening(iris, img, mesh.xy(33), mesh.xy(133), false))
            .transpose()?,
        in_doubt(1)
            .then(|| eyelid_opening(iris, img, mesh.xy(362), mesh.xy(263), true))
            .transpose()?,
    ];

    // Mouth.
    let [ml, mr] = idx::MOUTH_CORNERS.map(|i| mesh.xy(i));
    let mouth_w = (mr.0 - ml.0).hypot(mr.1 - ml.1).max(1.0);
    let mouth_opening = dist(13, 14) / mouth_w;
    let mut inner = pts(&idx::LIPS_INNER);
    // Widen the opening a little vertically: teeth between closed-looking lips still show.
    let centre_y = inner.iter().map(|p| p.1).sum::<f64>() / inner.len() as f64;
    for p in &mut inner {
        p.1 += (p.1 - centre_y).signum() * 0.04 * ipd;
    }
    let opening: std::collections::HashSet<(u32, u32)> =
        polygon_pixels(img, &inner).into_iter().collect();
    let lip_px: Vec<(u32, u32)> = polygon_pixels(img, &pts(&idx::LIPS_OUTER))
        .into_iter()
        .filter(|p| !opening.contains(p))
        .collect();
    let lips_l = median(
        labs_in(img, &lip_px)
            .iter()
            .map(|c| f64::from(c[0]))
            .collect(),
    );
    let opening_px: Vec<(u32, u32)> = opening.into_iter().collect();
    let mouth_labs = labs_in(img, &opening_px);
    // Teeth are lighter than the lips, the mouth cavity darker, in any skin tone and in
    // greyscale; the widened opening's lip pixels are neither.
    let teeth_share = share(&mouth_labs, |c| {
        let l = f64::from(c[0]);
        l > lips_l + 15.0 || l < lips_l - 25.0
    });
    let lips_centre = mesh.mean_xy(&idx::LIP_CENTRES);
    let corners_mid = ((ml.0 + mr.0) / 2.0, (ml.1 + mr.1) / 2.0);
    // Vertical offset in the face's frame (roll removed): +y is down the face.
    let along = |dx: f64, dy: f64| -dx * roll.sin() + dy * roll.cos();
    let corner_lift = along(lips_centre.0 - corners_mid.0, lips_centre.1 - corners_mid.1) / mouth_w;

    let under_eye = |e: (f64, f64)| {
        box_labs(
            img,
            e.0 - 0.15 * ipd,
            e.1 + 0.16 * ipd,
            e.0 + 0.15 * ipd,
            e.1 + 0.26 * ipd,
        )
    };
    // Boxes on both eye centres, `half` = (half width, half height) in IPD.
    let on_eyes = |half: (f64, f64)| {
        [el, er]
            .iter()
            .flat_map(|e| {
                box_labs(
                    img,
                    e.0 - half.0 * ipd,
                    e.1 - half.1 * ipd,
                    e.0 + half.0 * ipd,
                    e.1 + half.1 * ipd,
                )
            })
            .collect::<Vec<_>>()
    };
    let around = on_eyes((0.4, 0.25));
    let glare_share = share(&around, |c| {
        c[0] >= 95.0 && chroma(*c) < 8.0 && f64::from(c[0]) > skin_l + 10.0
    });

    // Lighting and exposure.
    let mouth_y = corners_mid.1;
    let side = |c: (f64, f64)| {
        let r = 0.15 * ipd;
        let labs = box_labs(img, c.0 - r, c.1 - r, c.0 + r, c.1 + r);
        median(labs.iter().map(|c| f64::from(c[0])).collect())
    };
    let side_lightness = idx::CHEEKS.map(|i| side(mesh.xy(i)));
    // Large sunglasses reach the skin 0.45 IPD below the eyes; the mid-cheeks stay clear.
    let cheeks_l = side_lightness[0].max(side_lightness[1]);
    let mut under = under_eye(el);
    under.extend(under_eye(er));
    let lens_darkening = cheeks_l - median(under.iter().map(|c| f64::from(c[0])).collect());

    let oval = labs_in(
        img,
        &polygon_pixels(img, &pts(&super::mesh::idx::FACE_OVAL)),
    );
    let highlight_share = share(&oval, |c| c[0] >= 97.0);
    let face_highlight_lightness = {
        let mut l: Vec<f64> = oval.iter().map(|c| f64::from(c[0])).collect();
        if l.is_empty() {
            0.0
        } else {
            let k = ((l.len() as f64 * 0.99) as usize).min(l.len() - 1);
            *l.select_nth_unstable_by(k, f64::total_cmp).1
        }
    };

    // Sharpness: the face from the brows to the mouth.
    let brow_y = head.eyebrow_y;
    let blur = {
        let x0 = el.0 - 0.45 * ipd;
        let x1 = er.0 + 0.45 * ipd;
        let y0 = brow_y - 0.1 * ipd;
        let y1 = mouth_y + 0.15 * ipd;
        face_blur(img, [x0, y0, x1, y1], 40.0 / ipd)
    };

    // Head top: between the crown and the mesh's forehead point, the width of the eyes.
    let forehead = mesh.xy(super::mesh::idx::FOREHEAD);
    let top_h = (forehead.1 - head.crown_y).max(0.0);
    let top = masked_box_labs(
        img,
        mask,
        el.0,
        head.crown_y + 0.2 * top_h,
        er.0,
        forehead.1 - 0.15 * top_h,
    );
    let top_lab = (top.len() >= 20).then(|| median_lab(&top));
    let [tl, tr] = idx::TEMPLES.map(|i| mesh.xy(i));
    let mut side_hair = Vec::new();
    if let Some([sl, sr]) = head.silhouette_x {
        let (y0, y1) = (brow_y - 0.3 * ipd, brow_y + 0.05 * ipd);
        if tl.0 - sl > 0.06 * ipd {
            side_hair.extend(masked_box_labs(
                img,
                mask,
                sl + 0.02 * ipd,
                y0,
                tl.0 - 0.02 * ipd,
                y1,
            ));
        }
        if sr - tr.0 > 0.06 * ipd {
            side_hair.extend(masked_box_labs(
                img,
                mask,
                tr.0 + 0.02 * ipd,
                y0,
                sr - 0.02 * ipd,
                y1,
            ));
        }
    }
    let side_lab = (side_hair.len() >= 20).then(|| median_lab(&side_hair));

    Ok(Appearance {
        skin_lightness: skin_l,
        iris_contrast,
        eyelid_opening,
        mouth_opening,
        teeth_share,
        corner_lift,
        mouth_width: mouth_w / ipd,
        lens_darkening,
        glare_share,
        side_lightness,
        highlight_share,
        face_highlight_lightness,
        blur,
        head_top_chroma: top_lab.map(|c| c[1].hypot(c[2])),
        head_top_vs_side_hair: top_lab.zip(side_lab).map(|(t, s)| delta_e(t, s)),
        head_top_vs_skin: top_lab.map(|t| delta_e(t, skin_lab)),
        head_top_height: top_h / ipd,
    })
}

/// Eyelid opening of one eye from the iris-landmark model: a level square of 2.3 eye widths
/// on the eye corners (`left`, `right` in image px, image-left first), mirrored for the
/// image-right eye (the model is made for one eye, MediaPipe's own pipeline mirrors the
/// other). The model's eye contour starts with the lower lid from corner to corner (points
/// 0-8) and the upper lid between them (9-15): the opening is the distance of points 12 and 4
/// (the lids' middles) over that of 0 and 8 (the corners).
fn eyelid_opening(
    net: &Network,
    img: &RgbImage,
    left: (f64, f64),
    right: (f64, f64),
    mirror: bool,
) -> Result<f64> {
    let n = net.side();
    let width = (right.0 - left.0).hypot(right.1 - left.1).max(1.0);
    let roi = SquareRoi {
        cx: (left.0 + right.0) / 2.0,
        cy: (left.1 + right.1) / 2.0,
        side: 2.3 * width,
        angle: (right.1 - left.1).atan2(right.0 - left.0),
    };
    let mut input = window_input(img, &roi, n);
    if mirror {
        for row in input.chunks_exact_mut(n * 3) {
            for x in 0..n / 2 {
                for c in 0..3 {
                    row.swap(x * 3 + c, (n - 1 - x) * 3 + c);
                }
            }
        }
    }
    let outputs = net.run(input)?;
    let contour = outputs
        .iter()
        .find(|o| o.len() == 71 * 3)
        .ok_or_else(|| crate::Error::Model("iris landmarks: unexpected output shapes".into()))?;
    let p = |i: usize| (f64::from(contour[3 * i]), f64::from(contour[3 * i + 1]));
    let d = |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).hypot(a.1 - b.1);
    Ok(d(p(12), p(4)) / d(p(0), p(8)).max(1e-6))
}

/// CIE76 colour difference.
fn delta_e(a: [f64; 3], b: [f64; 3]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

/// Median of values (0 for none).
fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let mid = v.len() / 2;
    *v.select_nth_unstable_by(mid, f64::total_cmp).1
}

/// Per-channel median of Lab colours.
fn median_lab(labs: &[[f32; 3]]) -> [f64; 3] {
    [0, 1, 2].map(|k| median(labs.iter().map(|c| f64::from(c[k])).collect()))
}

/// Share of colours meeting `pred` (0 for none).
fn share(labs: &[[f32; 3]], pred: impl Fn(&[f32; 3]) -> bool) -> f64 {
    if labs.is_empty() {
        return 0.0;
    }
    labs.iter().filter(|c| pred(c)).count() as f64 / labs.len() as f64
}

/// Lab colours of pixels.
fn labs_in(img: &RgbImage, pixels: &[(u32, u32)]) -> Vec<[f32; 3]> {
    let rgb: Vec<[u8; 3]> = pixels.iter().map(|&(x, y)| img.get_pixel(x, y).0).collect();
    labs_u8(rgb.iter())
}

/// Lab colours of the pixels in a box (clipped to the image).
fn box_labs(img: &RgbImage, x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<[f32; 3]> {
    let [x0, y0, x1, y1] = clip_box(img, x0, y0, x1, y1);
    let px: Vec<(u32, u32)> = (y0..y1)
        .flat_map(|y| (x0..x1).map(move |x| (x, y)))
        .collect();
    labs_in(img, &px)
}

/// Lab colours of the pixels in a box that the person mask holds (probability >= 0.5).
fn masked_box_labs(
    img: &RgbImage,
    mask: &PersonMask,
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
) -> Vec<[f32; 3]> {
    let [x0, y0, x1, y1] = clip_box(img, x0, y0, x1, y1);
    let px: Vec<(u32, u32)> = (y0..y1)
        .flat_map(|y| (x0..x1).map(move |x| (x, y)))
        .filter(|&(x, y)| mask.at(i64::from(x), i64::from(y)) >= 0.5)
        .collect();
    labs_in(img, &px)
}

/// The column profile contrast of a region (see [`Appearance::iris_contrast`]), L*.
fn column_contrast(img: &RgbImage, pixels: &[(u32, u32)]) -> f64 {
    let Some(x0) = pixels.iter().map(|p| p.0).min() else {
        return 0.0;
    };
    let x1 = pixels.iter().map(|p| p.0).max().unwrap_or(x0);
    let n = (x1 - x0 + 1) as usize;
    if n < 4 {
        return 0.0;
    }
    let labs = labs_in(img, pixels);
    let mut sum = vec![0.0f64; n];
    let mut count = vec![0usize; n];
    for (p, c) in pixels.iter().zip(&labs) {
        let i = (p.0 - x0) as usize;
        sum[i] += f64::from(c[0]);
        count[i] += 1;
    }
    let cols: Vec<f64> = sum
        .iter()
        .zip(&count)
        .map(|(s, &k)| if k > 0 { s / k as f64 } else { f64::NAN })
        .collect();
    let q = (n / 4).max(1);
    let outer: Vec<f64> = cols[..q]
        .iter()
        .chain(&cols[n - q..])
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let middle = cols[q..n - q]
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(f64::INFINITY, f64::min);
    if outer.is_empty() || !middle.is_finite() {
        return 0.0;
    }
    outer.iter().sum::<f64>() / outer.len() as f64 - middle
}

/// Crete et al.'s blur effect (0 sharp .. 1 blurred) of the grey box `[x0, y0, x1, y1]`,
/// reduced by `scale` first when it is under 1.
fn face_blur(img: &RgbImage, b: [f64; 4], scale: f64) -> f64 {
    let [x0, y0, x1, y1] = clip_box(img, b[0], b[1], b[2], b[3]);
    if x1 < x0 + 12 || y1 < y0 + 12 {
        return 0.0;
    }
    let crop = imageops::crop_imm(img, x0, y0, x1 - x0, y1 - y0).to_image();
    let mut grey = imageops::grayscale(&crop);
    if scale < 1.0 {
        let w = ((f64::from(grey.width()) * scale).round() as u32).max(12);
        let h = ((f64::from(grey.height()) * scale).round() as u32).max(12);
        grey = imageops::thumbnail(&grey, w, h);
    }
    blur_effect(&grey)
}

/// The no-reference blur effect of Crete, Dolmiere, Ladret and Nicolas (SPIE 6492, 2007), as
/// scikit-image's `measure.blur_effect` computes it (11-tap box re-blur, 0 sharp .. 1
/// blurred): the share of the image's neighbour differences that re-blurring does not
/// remove, the larger of the two axes.
pub fn blur_effect(grey: &GrayImage) -> f64 {
    let (w, h) = (grey.width() as usize, grey.height() as usize);
    let v: Vec<f64> = grey.as_raw().iter().map(|&p| f64::from(p)).collect();
    let at = |x: usize, y: usize| v[y * w + x];
    let half = 5usize;
    let mut worst: f64 = 0.0;
    for axis in 0..2 {
        let (n_along, n_across) = if axis == 0 { (h, w) } else { (w, h) };
        if n_along < 2 * half + 2 {
            continue;
        }
        let (mut s_f, mut s_v) = (0.0, 0.0);
        for j in 0..n_across {
            let line: Vec<f64> = (0..n_along)
                .map(|i| if axis == 0 { at(j, i) } else { at(i, j) })
                .collect();
            // Box re-blur along the axis (edge-replicated).
            let blurred: Vec<f64> = (0..n_along)
                .map(|i| {
                    (0..=2 * half)
                        .map(|k| line[(i + k).saturating_sub(half).min(n_along - 1)])
                        .sum::<f64>()
                        / (2 * half + 1) as f64
                })
                .collect();
            // Border rows excluded, as scikit-image does.
            for i in (half + 1)..(n_along - half) {
                let d_f = (line[i] - line[i - 1]).abs();
                let d_b = (blurred[i] - blurred[i - 1]).abs();
                s_f += d_f;
                s_v += (d_f - d_b).max(0.0);
            }
        }
        if s_f > 0.0 {
            worst = worst.max((s_f - s_v) / s_f);
        }
    }
    worst
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    #[test]
    fn blur_effect_rises_with_blur() {
        // Fine texture (pseudo-random), then the same out of focus.
        let mut state = 12345u32;
        let sharp = GrayImage::from_fn(64, 64, |_, _| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            Luma([(state >> 24) as u8])
        });
        let blurred = imageproc::filter::gaussian_blur_f32(&sharp, 3.0);
        let (s, b) = (blur_effect(&sharp), blur_effect(&blurred));
        assert!(s < 0.2 && b > 0.4, "sharp {s}, blurred {b}");
    }

    #[test]
    fn polygon_fill_counts_inside_pixels() {
        use super::super::sample::polygon_pixels;
        let img = RgbImage::new(50, 50);
        let square = [(10.0, 10.0), (30.0, 10.0), (30.0, 30.0), (10.0, 30.0)];
        let n = polygon_pixels(&img, &square).len();
        assert!((400..=441).contains(&n), "{n}");
        // Degenerate outlines give nothing, never a panic.
        assert!(polygon_pixels(&img, &[(5.0, 5.0), (5.2, 5.1), (5.1, 4.9)]).is_empty());
        assert!(polygon_pixels(&img, &[(-20.0, -20.0), (-10.0, -20.0), (-10.0, -5.0)]).is_empty());
    }
}
