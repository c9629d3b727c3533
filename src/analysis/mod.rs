//! Analysis: everything measured on a photo, each stage computed once and only when a check
//! of the spec needs it ([`Stages`]), shared by all checks.
//!
//! Stages, one module each: [`detect`] (face boxes) -> [`mesh`] (MediaPipe face mesh) ->
//! [`segment`] (person mask) -> [`head`] (backdrop model, crown, chin, widths, eye line),
//! [`background`] (backdrop colour statistics), [`colour`] (is it a colour photo?), [`pose`]
//! (yaw, pitch, roll), [`appearance`] (eyes, mouth, glasses, lighting, exposure, sharpness,
//! head covering). The networks and the detector are run through [`crate::runtime`]. All
//! coordinates are in the upright full-resolution image, px (continuous, y down).

pub mod appearance;
pub mod background;
pub mod colour;
pub mod detect;
pub mod head;
pub mod mesh;
pub mod pose;
pub mod sample;
pub mod segment;

use image::imageops;

use crate::decode::{ImageFacts, Photo};
use crate::error::Result;
use crate::runtime::Models;

pub use appearance::Appearance;
pub use background::BackgroundStats;
pub use colour::ColourStats;
pub use detect::FaceBox;
pub use head::{BackgroundModel, HeadGeometry};
pub use mesh::FaceMesh;
pub use pose::Pose;
pub use segment::PersonMask;

/// The width of the main face (detector box, px) in the working copy the analysis measures
/// on: a photo whose face is wider is analysed on a copy scaled down (by area averaging) so
/// that the face is this wide, and the results are mapped back to full-resolution px. At this
/// size the head length spans about 400 px, more than in the photo suite's 260x378 photos
/// (face about 130 px), so measures lose nothing, and the analysis costs the same for a 12 MP
/// photo as for a small one.
pub const WORK_FACE_WIDTH: f64 = 200.0;

/// Face-presence probability of the face mesh (0..1) under which a detection is not taken
/// for an upright face: upright faces in the photo suite score above 0.99, an upside-down
/// face about 0.15.
pub const MIN_FACE_PRESENCE: f64 = 0.5;

/// A set of analysis stages. A check declares the stages it reads
/// ([`crate::checks::Check::STAGES`]); the engine runs the union over a spec's rules, with
/// their prerequisites ([`Stages::with_prerequisites`]), and nothing else: a spec of file
/// rules alone decodes and stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Stages(u8);

impl Stages {
    /// No stage: the decoded photo's file facts only.
    pub const NONE: Stages = Stages(0);
    /// Face detection ([`Analysis::faces`]).
    pub const DETECT: Stages = Stages(1);
    /// Face mesh of the main face ([`Analysis::mesh`]); needs detection.
    pub const MESH: Stages = Stages(1 << 1);
    /// Person segmentation ([`Analysis::person_mask`]); needs the mesh (its window is sized
    /// from the face).
    pub const SEGMENT: Stages = Stages(1 << 2);
    /// Head geometry: crown, chin, widths, eye line ([`Analysis::head`]); needs the mesh and
    /// the mask.
    pub const HEAD: Stages = Stages(1 << 3);
    /// Backdrop statistics ([`Analysis::background`]); needs the mask.
    pub const BACKGROUND: Stages = Stages(1 << 4);
    /// Colour statistics ([`Analysis::colour`]); needs the mesh.
    pub const COLOUR: Stages = Stages(1 << 5);
    /// Head pose ([`Analysis::pose`]); needs the mesh.
    pub const POSE: Stages = Stages(1 << 6);
    /// Appearance of the face: eyes, mouth, glasses, lighting, exposure, sharpness, head
    /// covering ([`Analysis::appearance`]); needs the head geometry.
    pub const APPEARANCE: Stages = Stages(1 << 7);
    /// Every stage.
    pub const ALL: Stages = Stages(u8::MAX);

    /// Both sets.
    pub const fn union(self, other: Stages) -> Stages {
        Stages(self.0 | other.0)
    }

    /// True when every stage of `other` is in `self`.
    pub const fn contains(self, other: Stages) -> bool {
        self.0 & other.0 == other.0
    }

    /// The set with every stage its stages need to run first.
    pub fn with_prerequisites(self) -> Stages {
        let mut s = self;
        if s.contains(Stages::APPEARANCE) {
            s = s.union(Stages::HEAD);
        }
        if s.contains(Stages::HEAD) {
            s = s.union(Stages::SEGMENT).union(Stages::MESH);
        }
        if s.contains(Stages::BACKGROUND) {
            s = s.union(Stages::SEGMENT);
        }
        if s.contains(Stages::SEGMENT) || s.contains(Stages::POSE) || s.contains(Stages::COLOUR) {
            s = s.union(Stages::MESH);
        }
        if s.contains(Stages::MESH) {
            s = s.union(Stages::DETECT);
        }
        s
    }
}

impl std::ops::BitOr for Stages {
    type Output = Stages;
    fn bitor(self, other: Stages) -> Stages {
        self.union(other)
    }
}

/// Everything measured on one photo. A stage's field is `None` when the stage did not run
/// (the spec needs it not, or no face was found) or could not measure.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// File facts.
    pub facts: ImageFacts,
    /// The stages that ran (with their prerequisites).
    pub stages: Stages,
    /// Faces found, largest first (see [`detect::MIN_FACE_SCORE`]); the first is the main
    /// face every later stage measures.
    pub faces: Vec<FaceBox>,
    /// When no upright face was found but one was in the photo turned by this many degrees
    /// clockwise (90, 180 or 270): the photo is on its side or upside down.
    pub upright_turn_deg: Option<u16>,
    /// The 468-point mesh of the main face, image px.
    pub mesh: Option<FaceMesh>,
    /// Head pose of the main face.
    pub pose: Option<Pose>,
    /// Crown, chin, widths, eyes of the main face, image px.
    pub head: Option<HeadGeometry>,
    /// The backdrop.
    pub background: Option<BackgroundStats>,
    /// Colour statistics of the person.
    pub colour: Option<ColourStats>,
    /// What the face's pixels show (eyes, mouth, glasses, lighting, sharpness, head top).
    pub appearance: Option<Appearance>,
    /// Person probability map. It covers the working copy of the photo: multiply its px by
    /// [`Analysis::work_scale`] to get full-resolution px.
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
    /// Face detection, all tries.
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
    /// Appearance measures (eyes, mouth, glasses, lighting, sharpness, head top).
    pub appearance: std::time::Duration,
}

/// Analyses a photo, running `stages` and their prerequisites. With a `deadline`, gives up
/// with [`crate::Error::Timeout`] at the first stage boundary past it (each stage itself is
/// bounded by the image limits). With `parallel`, segmentation runs on a second thread beside
/// the refining mesh pass (same results; for a single photo on an otherwise idle machine).
///
/// Errors: [`crate::Error::Timeout`], [`crate::Error::Model`] (a network failed to load or
/// run).
pub(crate) fn analyse(
    models: &Models,
    photo: &Photo,
    stages: Stages,
    deadline: Option<std::time::Instant>,
    parallel: bool,
) -> Result<Analysis> {
    let stages = stages.with_prerequisites();
    let check_time = |stage: &str| match deadline {
        Some(d) if std::time::Instant::now() > d => Err(crate::Error::Timeout(format!(
            "time limit reached before {stage}"
        ))),
        _ => Ok(()),
    };
    let decode_scale = photo.pixel_scale();
    let mut analysis = Analysis {
        facts: photo.facts.clone(),
        stages,
        faces: Vec::new(),
        upright_turn_deg: None,
        mesh: None,
        pose: None,
        head: None,
        background: None,
        colour: None,
        appearance: None,
        person_mask: None,
        work_scale: decode_scale,
        timings: StageTimes::default(),
    };
    if !stages.contains(Stages::DETECT) {
        return Ok(analysis);
    }
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
    let detection = detect::find_faces(models, decoded)?;
    let found = detection.faces;
    lap(&mut timings.detection);
    analysis.faces = found.iter().map(|f| scale_box(f, decode_scale)).collect();
    analysis.timings = timings;
    let Some(main) = found.first() else {
        analysis.upright_turn_deg = detection.upright_turn_deg;
        return Ok(analysis);
    };
    if !stages.contains(Stages::MESH) {
        return Ok(analysis);
    }
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
    // The detector's window first: the segmentation window is sized from this mesh, so
    // that segmentation can run beside the refining mesh pass.
    let first_started = std::time::Instant::now();
    let first = mesh::face_mesh_once(&models.face_mesh, work, &mesh::roi_from_face_box(main))?;
    let first_time = first_started.elapsed();
    let roi = segment::head_roi_for_mesh(work, &first);
    let refine = || {
        let t = std::time::Instant::now();
        let mesh = mesh::refine_face_mesh(&models.face_mesh, work, first);
        (mesh, t.elapsed())
    };
    let run_segmentation = stages.contains(Stages::SEGMENT);
    let segment = || {
        let t = std::time::Instant::now();
        let mask = run_segmentation
            .then(|| segment::segment_person(&models.segmentation, work, &roi))
            .transpose();
        (mask, t.elapsed())
    };
    let ((face_mesh, mesh_time), (mask, mask_time)) = if parallel && run_segmentation {
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
    let (face_mesh, mask) = (face_mesh?, mask?);
    if face_mesh.presence < MIN_FACE_PRESENCE {
        // What the detector found is not an upright face: if the photo turned shows one, it
        // is on its side or upside down, and is reported so rather than measured.
        if let Some(turn) = detect::upright_turn(models.cascade.as_ref(), decoded) {
            analysis.faces.clear();
            analysis.upright_turn_deg = Some(turn);
            analysis.timings = timings;
            return Ok(analysis);
        }
    }
    // The mesh and segmentation may have overlapped: each was timed on its own, and the
    // wall time of both only restarts the clock.
    let mut overlapped = std::time::Duration::ZERO;
    lap(&mut overlapped);
    timings.landmarks = first_time + mesh_time;
    timings.segmentation = mask_time;
    if let Some(mask) = &mask {
        if stages.contains(Stages::HEAD) {
            check_time("head geometry")?;
            let chin_y = face_mesh.xy(mesh::idx::CHIN).1;
            let backdrop = BackgroundModel::fit(work, mask, chin_y.max(1.0) as u32);
            let geometry = head::head_geometry(work, &face_mesh, mask, backdrop.as_ref());
            lap(&mut timings.geometry);
            if stages.contains(Stages::APPEARANCE) {
                analysis.appearance = Some(appearance::appearance(
                    work,
                    &face_mesh,
                    &geometry,
                    mask,
                    &models.iris,
                )?);
                lap(&mut timings.appearance);
            }
            analysis.head = Some(scale_geometry(geometry, scale));
        }
        if stages.contains(Stages::BACKGROUND) {
            analysis.background = background::background_stats(work, mask);
            lap(&mut timings.background);
        }
    }
    if stages.contains(Stages::COLOUR) {
        analysis.colour = Some(colour::colour_stats(work, &face_mesh));
    }
    if stages.contains(Stages::POSE) {
        analysis.pose = Some(pose::pose_of(&face_mesh));
    }
    lap(&mut timings.colour);
    analysis.timings = timings;
    analysis.mesh = Some(scale_mesh(face_mesh, scale));
    analysis.person_mask = mask;
    Ok(analysis)
}

pub(crate) fn scale_box(b: &FaceBox, s: f64) -> FaceBox {
    b.scaled(s, s)
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
        outline_ear_level_x: g.outline_ear_level_x.map(|v| v.map(|x| x * s)),
        bottom_person_width: g.bottom_person_width * s,
        eyebrow_y: g.eyebrow_y * s,
        eyes: g.eyes.map(|e| e.map(|v| v * s)),
        face_centre_x: g.face_centre_x * s,
    }
}
