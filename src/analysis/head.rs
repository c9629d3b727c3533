//! Head geometry: crown, chin, head widths, eye line and pose, in upright-image px.
//!
//! Definitions (DESIGN.md): the crown is the top of the head silhouette, hair included;
//! the chin is the lowest point of the jaw contour; head length = chin_y - crown_y; widths on
//! three bases (outer ear to outer ear, ear root to ear root, hair silhouette at eyebrow level).
//! Coordinates are continuous: pixel i spans [i, i+1), y down.

use image::{GrayImage, Luma, RgbImage};
use imageproc::distance_transform::Norm;
use serde::{Deserialize, Serialize};

use super::colour::lab;
use super::mesh::{FaceMesh, idx};
use super::sample::bilinear;
use super::segment::PersonMask;

/// A smooth model of the backdrop colour: a quadratic surface per RGB channel over the image,
/// fitted robustly to pixels the segmentation calls background.
#[derive(Debug, Clone)]
pub struct BackgroundModel {
    coeffs: [[f64; 6]; 3],
    width: f64,
    height: f64,
    /// Per-channel noise of the backdrop around the model (robust standard deviation, 0..255).
    pub sigma: f64,
    /// Number of pixels the model was fitted to.
    pub samples: usize,
}

impl BackgroundModel {
    fn basis(&self, x: f64, y: f64) -> [f64; 6] {
        let (u, v) = (x / self.width - 0.5, y / self.height - 0.5);
        [1.0, u, v, u * u, u * v, v * v]
    }

    /// Modelled backdrop colour at `(x, y)` px, RGB 0..255.
    pub fn colour_at(&self, x: f64, y: f64) -> [f64; 3] {
        let b = self.basis(x, y);
        let mut out = [0.0; 3];
        for (c, o) in out.iter_mut().enumerate() {
            *o = (0..6).map(|k| self.coeffs[c][k] * b[k]).sum();
        }
        out
    }

    /// RGB distance (0..441) of pixel `(x, y)` from the modelled backdrop.
    pub fn distance(&self, img: &RgbImage, x: u32, y: u32) -> f64 {
        let b = self.basis(f64::from(x) + 0.5, f64::from(y) + 0.5);
        self.distance_from(img.get_pixel(x, y).0, &b)
    }

    /// [`Self::distance`] of colour `p` at the point whose [`Self::basis`] is `b`.
    fn distance_from(&self, p: [u8; 3], b: &[f64; 6]) -> f64 {
        (0..3)
            .map(|c| {
                let m: f64 = (0..6).map(|k| self.coeffs[c][k] * b[k]).sum();
                (f64::from(p[c]) - m).powi(2)
            })
            .sum::<f64>()
            .sqrt()
    }

    /// Foreground threshold on [`Self::distance`]: `max(6 sigma, 14)`.
    pub fn threshold(&self) -> f64 {
        (6.0 * self.sigma).max(14.0)
    }

    /// Fits the model to pixels with person probability below 0.02 in rows `0..max_y`.
    /// Returns `None` when fewer than 200 such pixels exist.
    #[allow(clippy::needless_range_loop)] // normal equations read clearer with indices
    pub fn fit(img: &RgbImage, mask: &PersonMask, max_y: u32) -> Option<BackgroundModel> {
        let (w, h) = (img.width(), img.height());
        let max_y = max_y.clamp(1, h);
        let step = ((f64::from(w) * f64::from(max_y) / 8000.0).sqrt().floor() as u32).max(1);
        let mut pts = Vec::new();
        for y in (0..max_y).step_by(step as usize) {
            for x in (0..w).step_by(step as usize) {
                if mask.at(i64::from(x), i64::from(y)) < 0.02 {
                    pts.push((x, y, img.get_pixel(x, y).0));
                }
            }
        }
        if pts.len() < 200 {
            return None;
        }
        let mut model = BackgroundModel {
            coeffs: [[0.0; 6]; 3],
            width: f64::from(w),
            height: f64::from(h),
            sigma: 0.0,
            samples: pts.len(),
        };
        let mut keep: Vec<bool> = vec![true; pts.len()];
        // Each sample's basis, computed once for the three rounds.
        let bases: Vec<[f64; 6]> = pts
            .iter()
            .map(|(x, y, _)| model.basis(f64::from(*x) + 0.5, f64::from(*y) + 0.5))
            .collect();
        for _round in 0..3 {
            let mut ata = [[0.0f64; 6]; 6];
            let mut atb = [[0.0f64; 6]; 3];
            for (i, ((_, _, p), b)) in pts.iter().zip(&bases).enumerate() {
                if !keep[i] {
                    continue;
                }
                for r in 0..6 {
                    // The normal matrix is symmetric: its lower triangle is copied below.
                    for c in r..6 {
                        ata[r][c] += b[r] * b[c];
                    }
                    for ch in 0..3 {
                        atb[ch][r] += b[r] * f64::from(p[ch]);
                    }
                }
            }
            for r in 1..6 {
                for c in 0..r {
                    ata[r][c] = ata[c][r];
                }
            }
            for ch in 0..3 {
                model.coeffs[ch] = solve6(ata, atb[ch])?;
            }
            let mut residuals: Vec<f64> = pts
                .iter()
                .zip(&bases)
                .map(|((_, _, p), b)| model.distance_from(*p, b))
                .collect();
            let mut sorted = residuals.clone();
            let mid = sorted.len() / 2;
            let (_, median, _) = sorted.select_nth_unstable_by(mid, f64::total_cmp);
            // The norm of 3-channel Gaussian noise has its median at 1.538 sigma.
            model.sigma = (*median / 1.538).max(0.5);
            let cut = 3.5 * 1.538 * model.sigma + 2.0;
            for (k, r) in keep.iter_mut().zip(residuals.drain(..)) {
                *k = r <= cut;
            }
        }
        model.samples = keep.iter().filter(|k| **k).count();
        Some(model)
    }
}

/// Solves a 6x6 linear system by Gaussian elimination with partial pivoting.
#[allow(clippy::needless_range_loop)]
fn solve6(mut a: [[f64; 6]; 6], mut b: [f64; 6]) -> Option<[f64; 6]> {
    for col in 0..6 {
        let piv = (col..6).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, piv);
        b.swap(col, piv);
        for row in col + 1..6 {
            let f = a[row][col] / a[col][col];
            for k in col..6 {
                a[row][k] -= f * a[col][k];
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0; 6];
    for row in (0..6).rev() {
        let s: f64 = (row + 1..6).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    Some(x)
}

/// How the crown was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrownMethod {
    /// Top of the dense hair region that differs from the modelled backdrop (precise).
    Backdrop,
    /// Top of the segmentation mask cut at 0.2 (busy backdrop; less precise on light hair).
    Mask,
}

/// Skull-top estimate: the top of the skull lies this many eye-to-chin distances above the
/// eye line. Adult head proportions put the eyes near the middle of the head's height (the
/// classic canon; anthropometric vertex-to-eye and eye-to-chin distances are about equal,
/// vertex-to-eye slightly shorter); 0.95 is used. The estimate is kept between the hair crown
/// and the mesh's forehead point. On the photo suite the hair above it is 1.3 mm (median, at
/// 22 x 32 mm; about 6 % of the head length), see `tests/it/photo_suite.rs`.
pub const SKULL_EYE_RATIO: f64 = 0.95;

/// Head geometry of one face in upright-image px (continuous coordinates, y down).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadGeometry {
    /// Top of the head silhouette (hair included), y px.
    pub crown_y: f64,
    /// x of the crown point, px.
    pub crown_x: f64,
    /// How the crown was found.
    pub crown_method: CrownMethod,
    /// Estimated top of the skull (hair ignored), y px: see [`SKULL_EYE_RATIO`].
    pub skull_top_y: f64,
    /// Lowest point of the chin, y px.
    pub chin_y: f64,
    /// x of the chin point, px.
    pub chin_x: f64,
    /// Outer ear edges `[left, right]` x px, when each ear is visible.
    pub ear_outer_x: [Option<f64>; 2],
    /// Ear roots (face width where the ears join the head) `[left, right]` x px.
    pub ear_root_x: [f64; 2],
    /// Hair silhouette edges at eyebrow level `[left, right]` x px.
    pub silhouette_x: Option<[f64; 2]>,
    /// Head outline (person mask, hair included) at ear level `[left, right]` x px: the
    /// width basis when an ear is covered by hair.
    #[serde(default)]
    pub outline_ear_level_x: Option<[f64; 2]>,
    /// Width of the person (mask probability >= 0.5) along the photo's bottom row, px: the
    /// shoulders, when they reach the bottom edge.
    #[serde(default)]
    pub bottom_person_width: f64,
    /// Eyebrow level, y px.
    pub eyebrow_y: f64,
    /// Eye centres `[[x, y] image-left eye, [x, y] image-right eye]`, px.
    pub eyes: [[f64; 2]; 2],
    /// Horizontal face centre (midpoint of the ear roots), x px.
    pub face_centre_x: f64,
}

impl HeadGeometry {
    /// Head length, crown to chin, px.
    pub fn head_length_px(&self) -> f64 {
        self.chin_y - self.crown_y
    }

    /// Head width outer ear to outer ear, px; `None` when an ear is hidden.
    pub fn width_ears_px(&self) -> Option<f64> {
        Some(self.ear_outer_x[1]? - self.ear_outer_x[0]?)
    }

    /// Face width at the ear roots, px.
    pub fn width_ear_roots_px(&self) -> f64 {
        self.ear_root_x[1] - self.ear_root_x[0]
    }

    /// Head width at ear level, px, and whether the head outline stood in for a hidden ear:
    /// each side's outer ear edge, or where that ear is hidden (covered by hair), the head
    /// outline at ear level on that side. `None` when neither is known.
    pub fn width_ears_or_outline_px(&self) -> Option<(f64, bool)> {
        let outline = self.outline_ear_level_x;
        let left = self.ear_outer_x[0]
            .map(|x| (x, false))
            .or(outline.map(|o| (o[0], true)))?;
        let right = self.ear_outer_x[1]
            .map(|x| (x, false))
            .or(outline.map(|o| (o[1], true)))?;
        Some((right.0 - left.0, left.1 || right.1))
    }

    /// Hair silhouette width at eyebrow level, px.
    pub fn width_silhouette_px(&self) -> Option<f64> {
        self.silhouette_x.map(|[l, r]| r - l)
    }

    /// Eye line: mean y of the two eye centres, px.
    pub fn eye_line_y(&self) -> f64 {
        (self.eyes[0][1] + self.eyes[1][1]) / 2.0
    }

    /// Inter-pupillary distance (between the eye centres), px.
    pub fn ipd_px(&self) -> f64 {
        (self.eyes[1][0] - self.eyes[0][0]).hypot(self.eyes[1][1] - self.eyes[0][1])
    }
}

/// Computes the head geometry from the mesh, the person mask and the backdrop model.
pub fn head_geometry(
    img: &RgbImage,
    mesh: &FaceMesh,
    mask: &PersonMask,
    backdrop: Option<&BackgroundModel>,
) -> HeadGeometry {
    let eyes = [mesh.eye_left(), mesh.eye_right()];
    let (root_l, _) = mesh.xy(idx::CHEEK_LEFT);
    let (root_r, _) = mesh.xy(idx::CHEEK_RIGHT);
    let face_w = (root_r - root_l).max(1.0);
    let eyebrow_y = mesh.mean_xy(&idx::BROWS).1;
    // Chin: mesh point 152. On the photo suite it sits 0.75 px (median, at 378 px height)
    // below the hand-placed lowest chin point; a local brightness-edge refinement made it
    // worse (the neck shadow edge is not the chin), so the mesh point is used as is.
    let (chin_x, chin_y) = mesh.xy(idx::CHIN);
    let band = [root_l - 0.25 * face_w, root_r + 0.25 * face_w];
    let face_h = (chin_y - mesh.xy(idx::FOREHEAD).1).max(1.0);
    let (crown_x, crown_y, crown_method) = backdrop
        .and_then(|b| crown_from_backdrop(img, mask, b, mesh, band, face_h))
        .map(|(x, y)| (x, y, CrownMethod::Backdrop))
        .unwrap_or_else(|| {
            let (x, y) = crown_from_mask(mask, band, mesh.xy(idx::FOREHEAD).1);
            (x, y, CrownMethod::Mask)
        });
    let ear_outer_x = outer_ears(img, mesh, [root_l, root_r]);
    let silhouette_x = silhouette_at(mask, (root_l + root_r) / 2.0, eyebrow_y);
    let ear_y = (mesh.xy(idx::CHEEK_LEFT).1 + mesh.xy(idx::CHEEK_RIGHT).1) / 2.0;
    // The outline at ear level stands in for a covered ear only where it reaches past the
    // ear root (hair over the ear), never inside the face.
    let last = i64::from(mask.height) - 1;
    let bottom_person_width = (0..i64::from(mask.width))
        .filter(|&x| mask.at(x, last) >= 0.5)
        .count() as f64;
    let outline_ear_level_x = silhouette_at(mask, (root_l + root_r) / 2.0, ear_y)
        .filter(|[l, r]| *l <= root_l && *r >= root_r);
    // The skull top lies inside the head: between the hair crown and the forehead point.
    let eye_y = (eyes[0].1 + eyes[1].1) / 2.0;
    let skull_top_y = (eye_y - SKULL_EYE_RATIO * (chin_y - eye_y))
        .min(mesh.xy(idx::FOREHEAD).1)
        .max(crown_y);
    HeadGeometry {
        crown_y,
        crown_x,
        crown_method,
        skull_top_y,
        chin_y,
        chin_x,
        ear_outer_x,
        ear_root_x: [root_l, root_r],
        silhouette_x,
        outline_ear_level_x,
        bottom_person_width,
        eyebrow_y,
        eyes: [[eyes[0].0, eyes[0].1], [eyes[1].0, eyes[1].1]],
        face_centre_x: (root_l + root_r) / 2.0,
    }
}

/// Crown from the segmentation mask alone: top row with probability >= 0.2 in the head band.
fn crown_from_mask(mask: &PersonMask, band: [f64; 2], forehead_y: f64) -> (f64, f64) {
    let x0 = band[0].max(0.0) as i64;
    let x1 = (band[1].min(f64::from(mask.width)) as i64).max(x0 + 1);
    for y in 0..(forehead_y.max(1.0) as i64) {
        for x in x0..x1 {
            if mask.at(x, y) >= 0.2 {
                return (x as f64 + 0.5, y as f64);
            }
        }
    }
    ((band[0] + band[1]) / 2.0, forehead_y)
}

/// Crown from the backdrop model: the pixels above the eyes that differ from the backdrop
/// by more than its noise allows, opened with a square of about 1 % of the face height (drops
/// flyaway wisps), the connected region that holds the forehead, its top row within the head
/// band. `None` when no such region reaches the forehead.
fn crown_from_backdrop(
    img: &RgbImage,
    mask: &PersonMask,
    backdrop: &BackgroundModel,
    mesh: &FaceMesh,
    band: [f64; 2],
    face_h: f64,
) -> Option<(f64, f64)> {
    let (fx, fy) = mesh.xy(idx::FOREHEAD);
    let eye_y = (mesh.eye_left().1 + mesh.eye_right().1) / 2.0;
    let (w, h) = (img.width(), img.height());
    let x0 = band[0].floor().max(0.0) as u32;
    let x1 = (band[1].ceil() as u32).min(w);
    let y1 = (eye_y.ceil().max(1.0) as u32).min(h);
    if x1 <= x0 + 2 || y1 < 3 {
        return None;
    }
    let thr = backdrop.threshold();
    let mut fg = GrayImage::new(x1 - x0, y1);
    for y in 0..y1 {
        for x in x0..x1 {
            let on =
                mask.at(i64::from(x), i64::from(y)) > 0.01 && backdrop.distance(img, x, y) > thr;
            if on {
                fg.put_pixel(x - x0, y, Luma([255]));
            }
        }
    }
    let radius = ((face_h / 100.0 - 1.0) / 2.0).round().clamp(1.0, 8.0) as u8;
    let opened = imageproc::morphology::open(&fg, Norm::LInf, radius);
    // The region that holds the forehead point (or the nearest foreground pixel below it).
    let seed_x = (fx.floor() as i64 - i64::from(x0)).clamp(0, i64::from(x1 - x0) - 1) as u32;
    let start = fy.floor().clamp(0.0, f64::from(y1 - 1)) as u32;
    let seed_y = (start..y1).find(|&y| opened.get_pixel(seed_x, y)[0] != 0)?;
    let region = region_of(&opened, seed_x, seed_y);
    for y in 0..y1 {
        let hits: Vec<u32> = (0..x1 - x0)
            .filter(|&x| region.get_pixel(x, y)[0] != 0)
            .collect();
        if !hits.is_empty() {
            let cx = f64::from(hits[hits.len() / 2] + x0) + 0.5;
            return Some((cx, f64::from(y)));
        }
    }
    None
}

/// The 8-connected region of non-zero pixels of `img` that holds `(x, y)` (a non-zero pixel),
/// as 255 on 0: the one label of `imageproc`'s `connected_components` (`Connectivity::Eight`)
/// that is needed, found by a flood from the seed instead of labelling the whole image (head
/// geometry 3.7 -> 3.0 ms on a 260 x 378 photo).
fn region_of(img: &GrayImage, x: u32, y: u32) -> GrayImage {
    let (w, h) = img.dimensions();
    let mut region = GrayImage::new(w, h);
    let mut stack = vec![(x, y)];
    region.put_pixel(x, y, Luma([255]));
    while let Some((px, py)) = stack.pop() {
        for ny in py.saturating_sub(1)..=(py + 1).min(h - 1) {
            for nx in px.saturating_sub(1)..=(px + 1).min(w - 1) {
                if img.get_pixel(nx, ny)[0] != 0 && region.get_pixel(nx, ny)[0] == 0 {
                    region.put_pixel(nx, ny, Luma([255]));
                    stack.push((nx, ny));
                }
            }
        }
    }
    region
}

/// Outer ear edges: along each row from the eyebrows to the bottom of the nose, the outermost
/// run of skin-coloured pixels (colour of the cheeks in L*a*b*) within 0.3 face widths of the
/// ear root; a shadowed crease between ear and head may separate it from the face. Per side, the edge is the
/// third most outward row (robust to a stray row). `None` for a side whose ear does not reach
/// beyond the root (hidden by hair), and for both sides when the photo has no colour.
fn outer_ears(img: &RgbImage, mesh: &FaceMesh, roots: [f64; 2]) -> [Option<f64>; 2] {
    // Skin colour from the cheeks below each eye.
    let samples = cheek_labs(img, mesh);
    let n = samples.len() as f32;
    let mean: [f32; 3] = std::array::from_fn(|c| samples.iter().map(|s| s[c]).sum::<f32>() / n);
    let sd: [f32; 3] = std::array::from_fn(|c| {
        (samples
            .iter()
            .map(|s| (s[c] - mean[c]).powi(2))
            .sum::<f32>()
            / n)
            .sqrt()
    });
    if mean[1].hypot(mean[2]) < 3.0 {
        // No colour (greyscale photo): skin cannot be told from hair or backdrop by colour.
        return [None, None];
    }
    let is_skin = |p: [f32; 3]| {
        let da = (p[1] - mean[1]) / sd[1].max(2.5);
        let db = (p[2] - mean[2]) / sd[2].max(2.5);
        da.hypot(db) <= 3.5 && p[0] >= mean[0] - 35.0 && p[0] <= mean[0] + 20.0
    };
    let face_w = (roots[1] - roots[0]).max(1.0);
    let y_top = mesh.mean_xy(&idx::BROWS).1;
    let y_bottom = mesh.xy(idx::NOSE_BOTTOM).1;
    let min_run = (face_w * 0.02).max(2.0);
    let mut result = [None, None];
    for (side, dir) in [(0usize, -1.0f64), (1, 1.0)] {
        let root = roots[side];
        let mut edges = Vec::new();
        let mut y = y_top.floor() + 0.5;
        while y <= y_bottom {
            // Walk from the far end of the window towards the root; the first skin run long
            // enough to be an ear (not a stray pixel) gives this row's outer edge.
            let mut x = root + dir * 0.3 * face_w;
            let stop = root - dir * 0.02 * face_w;
            let mut run = 0.0;
            let mut outer = None;
            while (stop - x) * dir < 0.0 {
                if x >= 0.0 && x < f64::from(img.width()) && is_skin(lab(bilinear(img, x, y))) {
                    run += 1.0;
                    if run >= min_run {
                        outer = Some(x + dir * (run - 1.0) + dir * 0.5);
                        break;
                    }
                } else {
                    run = 0.0;
                }
                x -= dir;
            }
            if let Some(o) = outer {
                edges.push(o);
            }
            y += 1.0;
        }
        if edges.len() < 3 {
            continue;
        }
        edges.sort_by(|a, b| (b * dir).total_cmp(&(a * dir)));
        let edge = edges[2.min(edges.len() - 1)];
        if (edge - root) * dir > 0.02 * face_w {
            result[side] = Some(edge);
        }
    }
    result
}

/// CIE L*a*b* samples of the cheeks: a square of 0.3 inter-eye distances centred 0.45 of it
/// below each eye centre, sampled on a 9 x 9 grid (bilinear). The face's skin colour.
pub fn cheek_labs(img: &RgbImage, mesh: &FaceMesh) -> Vec<[f32; 3]> {
    let (el, er) = (mesh.eye_left(), mesh.eye_right());
    let ipd = (er.0 - el.0).hypot(er.1 - el.1).max(4.0);
    let r = (0.15 * ipd).max(1.0);
    let step = (r / 4.0).max(1.0);
    // Grid points by index (a running sum `x += step` lands a rounding error either side of
    // `cx + r`, so the last row and column came and went with sub-pixel changes of the eyes).
    let last = (2.0 * r / step + 1e-9).floor() as usize;
    let mut samples = Vec::new();
    for e in [el, er] {
        let (cx, cy) = (e.0, e.1 + 0.45 * ipd);
        for j in 0..=last {
            let y = cy - r + j as f64 * step;
            for i in 0..=last {
                samples.push(lab(bilinear(img, cx - r + i as f64 * step, y)));
            }
        }
    }
    samples
}

/// Hair silhouette edges on row `y`: the run of person pixels (probability >= 0.5) that holds
/// the face centre.
fn silhouette_at(mask: &PersonMask, centre_x: f64, y: f64) -> Option<[f64; 2]> {
    let (yi, cx) = (y.floor() as i64, centre_x.floor() as i64);
    if mask.at(cx, yi) < 0.5 {
        return None;
    }
    let mut l = cx;
    while l > 0 && mask.at(l - 1, yi) >= 0.5 {
        l -= 1;
    }
    let mut r = cx;
    while r + 1 < i64::from(mask.width) && mask.at(r + 1, yi) >= 0.5 {
        r += 1;
    }
    Some([l as f64, (r + 1) as f64])
}

#[cfg(test)]
mod tests {
    use super::*;
    use imageproc::region_labelling::{Connectivity, connected_components};

    /// `region_of` is the seed's label of `imageproc`'s 8-connected labelling: on a binary
    /// image of a real photo (its dark pixels, opened: many regions, diagonal contacts), from a
    /// seed in every region, the same pixels.
    #[test]
    fn region_of_is_the_seeds_connected_component() {
        let img = image::open(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/grace_hopper.jpg"
        ))
        .unwrap()
        .to_luma8();
        // A binary image with many regions: dark pixels, opened a little.
        let dark = GrayImage::from_fn(img.width(), img.height(), |x, y| {
            Luma([if img.get_pixel(x, y)[0] < 90 { 255 } else { 0 }])
        });
        let binary = imageproc::morphology::open(&dark, Norm::LInf, 1);
        let labels = connected_components(&binary, Connectivity::Eight, Luma([0u8]));
        let mut seen = std::collections::HashSet::new();
        for (x, y, p) in labels.enumerate_pixels() {
            if p[0] == 0 || !seen.insert(p[0]) {
                continue;
            }
            let region = region_of(&binary, x, y);
            for (a, b) in labels.pixels().zip(region.pixels()) {
                assert_eq!(a[0] == p[0], b[0] != 0, "label {} from ({x}, {y})", p[0]);
            }
        }
        assert!(seen.len() >= 10, "only {} regions", seen.len());
    }
}
