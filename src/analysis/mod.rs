//! Analysis: everything measured on a photo once, shared by all checks.
//!
//! Stages: face detection (rustface) -> face mesh (MediaPipe, tract) -> person segmentation
//! (MediaPipe selfie segmentation, tract) -> backdrop model -> head geometry, pose, background
//! and colour statistics. All coordinates are in the upright full-resolution image, px.

pub mod colour;
pub mod face;
pub mod geometry;
pub mod landmarks;
pub(crate) mod models;
pub mod sample;
pub mod segment;

use image::{GrayImage, Luma, RgbImage, imageops};
use imageproc::distance_transform::Norm;
use serde::{Deserialize, Serialize};

use crate::decode::{ImageFacts, Photo};
use crate::error::Result;
use face::FaceBox;
use geometry::{BackgroundModel, HeadGeometry};
use landmarks::{FaceMesh, idx};
use models::Models;
use segment::PersonMask;

/// The width of the main face (SeetaFace box, px) in the working copy the analysis measures
/// on: a photo whose face is wider is analysed on a copy scaled down (by area averaging) so
/// that the face is this wide, and the results are mapped back to full-resolution px. At this
/// size the head length spans about 400 px, more than in the photo suite's 260x378 photos
/// (face about 130 px), so measures lose nothing, and the analysis costs the same for a 12 MP
/// photo as for a small one.
pub const WORK_FACE_WIDTH: f64 = 200.0;

/// Head pose in degrees. Signs, in the upright image as seen: `yaw` > 0 when the image-right
/// side of the face is farther from the camera than the image-left side (the subject turns to
/// their right, towards image left); `pitch` > 0 when the chin is farther from the camera than
/// the forehead relative to a frontal face (head tilted back, looking up); `roll` > 0 when the
/// image-right eye is lower than the image-left eye.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Pose {
    /// Yaw, degrees.
    pub yaw_deg: f64,
    /// Pitch, degrees.
    pub pitch_deg: f64,
    /// Roll, degrees.
    pub roll_deg: f64,
}

/// The analysed main face (the largest detected face).
#[derive(Debug, Clone)]
pub struct FaceAnalysis {
    /// The 468-point mesh, image px.
    pub mesh: FaceMesh,
    /// Crown, chin, widths, eyes, image px.
    pub geometry: HeadGeometry,
    /// Head pose.
    pub pose: Pose,
}

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

/// Colour statistics of the person.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ColourStats {
    /// Mean chroma C*ab of the cheeks' skin.
    pub face_chroma: f64,
    /// Circular standard deviation of hue (degrees) over person pixels with chroma >= 4;
    /// `None` when fewer than 50 such pixels exist (a greyscale photo).
    pub hue_spread_deg: Option<f64>,
}

/// Everything measured on one photo.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// File facts.
    pub facts: ImageFacts,
    /// Faces found, largest first (see [`face::MIN_FACE_SCORE`]).
    pub faces: Vec<FaceBox>,
    /// The main face, when one was found and its mesh confirmed it.
    pub face: Option<FaceAnalysis>,
    /// The backdrop, when a face was found.
    pub background: Option<BackgroundStats>,
    /// Colour statistics, when a face was found.
    pub colour: Option<ColourStats>,
    /// Person probability map, when a face was found. It covers the working copy of the photo:
    /// multiply its px by [`Analysis::work_scale`] to get full-resolution px.
    pub person_mask: Option<PersonMask>,
    /// Full-resolution px per working-copy px: 1 unless the face is wider than
    /// [`WORK_FACE_WIDTH`] px or the photo was decoded at a reduced size.
    pub work_scale: f64,
    /// Wall time of each analysis stage (for profiles and benchmarks; not part of reports).
    pub timings: StageTimes,
}

/// Wall time spent in each analysis stage of one photo.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StageTimes {
    /// Making the working copy of a large photo.
    pub work_copy: std::time::Duration,
    /// Face detection (rustface), all tries.
    pub detection: std::time::Duration,
    /// Face mesh (all passes).
    pub landmarks: std::time::Duration,
    /// Person segmentation, including mapping the mask to the image.
    pub segmentation: std::time::Duration,
    /// Backdrop model and head geometry (crown, chin, ears).
    pub geometry: std::time::Duration,
    /// Backdrop statistics.
    pub background: std::time::Duration,
    /// Colour statistics and pose.
    pub colour: std::time::Duration,
}

impl Models {
    /// Analyses a photo; with a `deadline`, gives up with [`crate::Error::Timeout`] at the
    /// first stage boundary past it (each stage itself is bounded by the image limits). With
    /// `parallel`, segmentation runs on a second thread beside the refining mesh passes (same
    /// results; for a single photo on an otherwise idle machine).
    pub(crate) fn analyse(
        &self,
        photo: &Photo,
        deadline: Option<std::time::Instant>,
        parallel: bool,
    ) -> Result<Analysis> {
        let check_time = |stage: &str| match deadline {
            Some(d) if std::time::Instant::now() > d => Err(crate::Error::Timeout(format!(
                "time limit reached before {stage}"
            ))),
            _ => Ok(()),
        };
        check_time("face detection")?;
        let mut timings = StageTimes::default();
        let mut clock = std::time::Instant::now();
        let mut lap = |slot: &mut std::time::Duration| {
            let now = std::time::Instant::now();
            *slot = now - clock;
            clock = now;
        };
        let decoded = &photo.image;
        // Faces in decoded px, then in full-resolution px.
        let found = face::detect_faces(&self.seeta, decoded);
        lap(&mut timings.detection);
        let decode_scale = photo.pixel_scale();
        let mut analysis = Analysis {
            facts: photo.facts.clone(),
            faces: found.iter().map(|f| scale_box(f, decode_scale)).collect(),
            face: None,
            background: None,
            colour: None,
            person_mask: None,
            work_scale: decode_scale,
            timings,
        };
        let Some(main) = found.first() else {
            return Ok(analysis);
        };
        // The working copy: the face at most WORK_FACE_WIDTH px wide.
        let reduce = main.width / WORK_FACE_WIDTH;
        let copy;
        let (work, to_decoded) = if reduce > 1.0 {
            let h = ((f64::from(decoded.height()) / reduce).round() as u32).max(1);
            let w = ((f64::from(decoded.width()) / reduce).round() as u32).max(1);
            // Area averaging (thumbnail) is several times faster than a filtered resize
            // for large reductions, and is what a downscale for measurement needs.
            copy = imageops::thumbnail(decoded, w, h);
            (&copy, f64::from(decoded.height()) / f64::from(h))
        } else {
            (decoded, 1.0)
        };
        let scale = decode_scale * to_decoded;
        analysis.work_scale = scale;
        let main = &scale_box(main, 1.0 / to_decoded);
        lap(&mut timings.work_copy);
        check_time("landmarks")?;
        let mesh_plan = self.face_mesh.get()?;
        // The detector's window first: the segmentation window is sized from this mesh, so
        // that segmentation can run beside the refining mesh passes.
        let first_started = std::time::Instant::now();
        let first =
            landmarks::face_mesh_once(mesh_plan, work, &landmarks::roi_from_face_box(main))?;
        let first_time = first_started.elapsed();
        let (fx0, fx1, fy0, fy1) = idx::FACE_OVAL.iter().fold(
            (f64::MAX, f64::MIN, f64::MAX, f64::MIN),
            |(a, b, c, d), &i| {
                let (x, y) = first.xy(i);
                (a.min(x), b.max(x), c.min(y), d.max(y))
            },
        );
        let face_size = (fx1 - fx0).max(fy1 - fy0);
        let roi = segment::head_roi(
            work.width(),
            work.height(),
            (fx0 + fx1) / 2.0,
            (fy0 + fy1) / 2.0,
            face_size,
        );
        let refine = || {
            let t = std::time::Instant::now();
            let mesh = landmarks::refine_face_mesh(mesh_plan, work, first);
            (mesh, t.elapsed())
        };
        let segment = || {
            let t = std::time::Instant::now();
            let mask = self
                .segmentation
                .get()
                .and_then(|plan| segment::segment_person(plan, work, &roi));
            (mask, t.elapsed())
        };
        let ((mesh, mesh_time), (mask, mask_time)) = if parallel {
            std::thread::scope(|scope| {
                let seg = std::thread::Builder::new()
                    .name("photocheck segmentation".into())
                    .spawn_scoped(scope, segment);
                let refined = refine();
                let mask = match seg {
                    Ok(handle) => handle
                        .join()
                        .unwrap_or_else(|p| std::panic::resume_unwind(p)),
                    Err(_) => segment(),
                };
                (refined, mask)
            })
        } else {
            let refined = refine();
            check_time("segmentation")?;
            (refined, segment())
        };
        let (mesh, mask) = (mesh?, mask?);
        // The mesh and segmentation may have overlapped: each was timed on its own, and the
        // wall time of both only restarts the clock.
        let mut overlapped = std::time::Duration::ZERO;
        lap(&mut overlapped);
        timings.landmarks = first_time + mesh_time;
        timings.segmentation = mask_time;
        check_time("head geometry")?;
        let chin_y = mesh.xy(idx::CHIN).1;
        let backdrop = BackgroundModel::fit(work, &mask, chin_y.max(1.0) as u32);
        let geometry = geometry::head_geometry(work, &mesh, &mask, backdrop.as_ref());
        lap(&mut timings.geometry);
        analysis.background = background_stats(work, &mask);
        lap(&mut timings.background);
        let pose = pose_of(&mesh);
        analysis.colour = Some(colour_stats(work, &mesh, &mask));
        lap(&mut timings.colour);
        analysis.timings = timings;
        analysis.face = Some(FaceAnalysis {
            mesh: scale_mesh(mesh, scale),
            geometry: scale_geometry(geometry, scale),
            pose,
        });
        analysis.person_mask = Some(mask);
        Ok(analysis)
    }
}

/// Pitch the mesh reports for a frontal face (upper-face points against chin points, see
/// `idx::PITCH_UPPER`): the median over the 325 frontal faces of the photo suite (0.8 deg,
/// spread sd 5 deg); subtracted so that a frontal face reads 0.
pub const MESH_NEUTRAL_PITCH_DEG: f64 = 0.8;

fn pose_of(mesh: &FaceMesh) -> Pose {
    let l = mesh.points[idx::CHEEK_LEFT];
    let r = mesh.points[idx::CHEEK_RIGHT];
    let mean = |ids: &[usize]| {
        let n = ids.len() as f64;
        let s = ids.iter().fold([0.0; 3], |a, &i| {
            let p = mesh.points[i];
            [a[0] + p[0], a[1] + p[1], a[2] + p[2]]
        });
        [s[0] / n, s[1] / n, s[2] / n]
    };
    let top = mean(&idx::PITCH_UPPER);
    let chin = mean(&idx::PITCH_LOWER);
    let yaw = (r[2] - l[2]).atan2(r[0] - l[0]).to_degrees();
    let pitch = (chin[2] - top[2]).atan2(chin[1] - top[1]).to_degrees() - MESH_NEUTRAL_PITCH_DEG;
    Pose {
        yaw_deg: yaw,
        pitch_deg: pitch,
        roll_deg: mesh.roll_rad().to_degrees(),
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
fn background_stats(img: &RgbImage, mask: &PersonMask) -> Option<BackgroundStats> {
    let (w0, h0) = (img.width(), img.height());
    let s = (f64::from(w0.max(h0)) / f64::from(BACKGROUND_SIDE)).max(1.0);
    let (w, h) = (
        ((f64::from(w0) / s).round() as u32).max(1),
        ((f64::from(h0) / s).round() as u32).max(1),
    );
    let small = if s > 1.0 {
        imageops::resize(img, w, h, imageops::FilterType::Triangle)
    } else {
        img.clone()
    };
    let person = GrayImage::from_fn(w, h, |x, y| {
        let (mx, my) = ((f64::from(x) + 0.5) * s, (f64::from(y) + 0.5) * s);
        Luma([if mask.at(mx as i64, my as i64) >= 0.1 {
            255
        } else {
            0
        }])
    });
    let radius = ((f64::from(h) * 0.01).round() as u8).max(1);
    let grown = imageproc::morphology::dilate(&person, Norm::LInf, radius);
    let labs = colour::labs_u8(small.pixels().map(|p| &p.0));
    let lightness = GrayImage::from_fn(w, h, |x, y| {
        let l = labs[(y * w + x) as usize][0];
        Luma([(l * 2.55).round().clamp(0.0, 255.0) as u8])
    });
    let close_r = ((f64::from(h) * 0.008).round() as u8).max(1);
    let closed = imageproc::morphology::grayscale_close(
        &lightness,
        &imageproc::morphology::Mask::square(close_r),
    );
    let mut hist = vec![0u32; 101];
    let (mut n, mut sum_c) = (0usize, 0.0);
    let mut sum = [0.0f64; 3];
    for y in 0..h {
        for x in 0..w {
            if grown.get_pixel(x, y)[0] != 0 {
                continue;
            }
            let c = labs[(y * w + x) as usize];
            n += 1;
            for k in 0..3 {
                sum[k] += f64::from(c[k]);
            }
            sum_c += f64::from(colour::chroma(c));
            let lc = f32::from(closed.get_pixel(x, y)[0]) / 2.55;
            hist[(lc.clamp(0.0, 100.0)) as usize] += 1;
        }
    }
    if n < 50 {
        return None;
    }
    let mean_lab = sum.map(|v| v / n as f64);
    let mut delta_e_histogram = vec![0u32; 51];
    for y in 0..h {
        for x in 0..w {
            let i = (y * w + x) as usize;
            let strand = f32::from(closed.get_pixel(x, y)[0])
                - f32::from(lightness.get_pixel(x, y)[0])
                > 5.0 * 2.55;
            if grown.get_pixel(x, y)[0] != 0 || strand {
                continue;
            }
            let c = labs[i];
            let de = (0..3)
                .map(|k| (f64::from(c[k]) - mean_lab[k]).powi(2))
                .sum::<f64>()
                .sqrt();
            delta_e_histogram[(de.floor() as usize).min(50)] += 1;
        }
    }
    Some(BackgroundStats {
        pixels: n,
        share_of_image: n as f64 / (f64::from(w) * f64::from(h)),
        mean_lightness: mean_lab[0],
        mean_chroma: sum_c / n as f64,
        lightness_histogram: hist,
        mean_lab,
        delta_e_histogram,
    })
}

fn colour_stats(img: &RgbImage, mesh: &FaceMesh, mask: &PersonMask) -> ColourStats {
    let cheeks = geometry::cheek_labs(img, mesh);
    let face_chroma = cheeks
        .iter()
        .map(|c| f64::from(colour::chroma(*c)))
        .sum::<f64>()
        / cheeks.len().max(1) as f64;
    let (w, h) = (img.width(), img.height());
    // About 10,000 samples: plenty for a spread of hue.
    let step = ((f64::from(w) * f64::from(h) / 10_000.0).sqrt().round() as u32).max(1);
    let (mut sx, mut sy, mut m) = (0.0f64, 0.0f64, 0usize);
    for y in (0..h).step_by(step as usize) {
        for x in (0..w).step_by(step as usize) {
            if mask.at(i64::from(x), i64::from(y)) < 0.5 {
                continue;
            }
            let c = colour::lab_u8(img.get_pixel(x, y).0);
            if colour::chroma(c) >= 4.0 {
                let hue = f64::from(c[2]).atan2(f64::from(c[1]));
                sx += hue.cos();
                sy += hue.sin();
                m += 1;
            }
        }
    }
    let hue_spread_deg = (m >= 50).then(|| {
        let r = (sx.hypot(sy) / m as f64).clamp(1e-9, 1.0);
        (-2.0 * r.ln()).sqrt().to_degrees()
    });
    ColourStats {
        face_chroma,
        hue_spread_deg,
    }
}

pub(crate) fn scale_box(b: &FaceBox, s: f64) -> FaceBox {
    FaceBox {
        x: b.x * s,
        y: b.y * s,
        width: b.width * s,
        height: b.height * s,
        score: b.score,
    }
}

fn scale_mesh(mut mesh: FaceMesh, s: f64) -> FaceMesh {
    if s != 1.0 {
        for p in &mut mesh.points {
            for v in p.iter_mut() {
                *v *= s;
            }
        }
    }
    mesh
}

pub(crate) fn scale_geometry(g: HeadGeometry, s: f64) -> HeadGeometry {
    if s == 1.0 {
        return g;
    }
    HeadGeometry {
        crown_y: g.crown_y * s,
        crown_x: g.crown_x * s,
        crown_method: g.crown_method,
        skull_top_y: g.skull_top_y * s,
        chin_y: g.chin_y * s,
        chin_x: g.chin_x * s,
        ear_outer_x: g.ear_outer_x.map(|v| v.map(|x| x * s)),
        ear_root_x: g.ear_root_x.map(|x| x * s),
        silhouette_x: g.silhouette_x.map(|v| v.map(|x| x * s)),
        eyebrow_y: g.eyebrow_y * s,
        eyes: g.eyes.map(|e| e.map(|v| v * s)),
        face_centre_x: g.face_centre_x * s,
    }
}
