//! Checks: pure functions of an [`Analysis`] and a [`Spec`] rule, one per stable check id.
//!
//! No check decodes, detects or segments; each reads what the analysis measured once. A value
//! that could not be measured gives `not_measured`, never a pass.

mod appearance;
mod file;
mod head;

use serde::{Deserialize, Serialize};

use crate::analysis::Analysis;
use crate::spec::{Severity, Spec};

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Within the rule.
    Pass,
    /// Outside the rule, and the rule's severity is `error`.
    Fail,
    /// Outside the rule, and the rule's severity is `warn`.
    Warn,
    /// The value could not be measured (for example no face); fails the photo when the rule's
    /// severity is `error`.
    NotMeasured,
    /// The rule does not apply to this photo (for example no EXIF date for `taken_recently`).
    Skipped,
}

/// The result of one rule on one photo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// Stable check id (DESIGN.md), e.g. `head_length`.
    pub id: String,
    /// Outcome.
    pub status: Status,
    /// The rule's severity in the spec.
    pub severity: Severity,
    /// Measured value in `unit`, or `None` when not measured.
    pub value: Option<f64>,
    /// Unit of `value`, `min` and `max` (`mm`, `px`, `deg`, `ratio`, `L*`, `C*ab`, `KB`, `days`,
    /// `count`, `share`).
    pub unit: String,
    /// Smallest allowed value, if bounded below.
    pub min: Option<f64>,
    /// Largest allowed value, if bounded above.
    pub max: Option<f64>,
    /// One line for a person: what was measured against which limit.
    pub message: String,
    /// The rule's source in the spec (standard and clause), so a user can tell a clerk which
    /// rule a photo breaks.
    pub spec_source: Option<String>,
}

impl CheckResult {
    /// True when this result makes the photo fail (a failed or unmeasured `error` rule).
    pub fn fails_photo(&self) -> bool {
        self.severity == Severity::Error
            && matches!(self.status, Status::Fail | Status::NotMeasured)
    }
}

/// Builds a result for a value checked against an inclusive range.
pub(crate) fn range_check(
    id: &str,
    severity: Severity,
    value: Option<f64>,
    unit: &str,
    min: Option<f64>,
    max: Option<f64>,
    what: &str,
) -> CheckResult {
    let bounds = match (min, max) {
        (Some(lo), Some(hi)) => format!("{} to {} {unit}", fmt(lo), fmt(hi)),
        (Some(lo), None) => format!("at least {} {unit}", fmt(lo)),
        (None, Some(hi)) => format!("at most {} {unit}", fmt(hi)),
        (None, None) => "unbounded".into(),
    };
    let (status, message) = match value {
        None => (
            Status::NotMeasured,
            format!("{what}: not measured (allowed {bounds})"),
        ),
        Some(v) => {
            // Limits written in decimal (10/378*32 mm) may not round-trip exactly.
            let eps = 1e-6 * (1.0 + v.abs());
            let low = min.is_some_and(|lo| v < lo - eps);
            let high = max.is_some_and(|hi| v > hi + eps);
            let status = if !(low || high) {
                Status::Pass
            } else if severity == Severity::Warn {
                Status::Warn
            } else {
                Status::Fail
            };
            let how = if low {
                format!(", {} {unit} too small", fmt(min.unwrap_or(v) - v))
            } else if high {
                format!(", {} {unit} too large", fmt(v - max.unwrap_or(v)))
            } else {
                String::new()
            };
            (
                status,
                format!("{what} {} {unit} (allowed {bounds}){how}", fmt(v)),
            )
        }
    };
    CheckResult {
        id: id.into(),
        status,
        severity,
        value,
        unit: unit.into(),
        min,
        max,
        message,
        spec_source: None,
    }
}

/// A range check of a length in mm whose message also gives the value in px.
pub(crate) fn mm_check(
    id: &str,
    severity: Severity,
    value_mm: Option<f64>,
    (min, max): (Option<f64>, Option<f64>),
    what: &str,
    mm_per_px: f64,
) -> CheckResult {
    let mut r = range_check(id, severity, value_mm, "mm", min, max, what);
    if let Some(v) = value_mm {
        r.message = format!("{}; {} px", r.message, fmt(v / mm_per_px));
    }
    r
}

/// The status of a yes/no rule: pass, or fail/warn by the rule's severity.
pub(crate) fn outcome(ok: bool, severity: Severity) -> Status {
    match (ok, severity) {
        (true, _) => Status::Pass,
        (false, Severity::Warn) => Status::Warn,
        (false, Severity::Error) => Status::Fail,
    }
}

/// Formats a number with up to 3 significant decimals, trailing zeros dropped.
pub(crate) fn fmt(v: f64) -> String {
    let a = v.abs();
    let s = if a >= 100.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    };
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Measurements of one photo in the units of a spec (px and mm), as reported in JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Measurements {
    /// Number of faces found.
    pub faces: usize,
    /// mm per px used for every mm value (from the spec's height or pinned DPI).
    pub mm_per_px: f64,
    /// Crown (top of hair), y px from the top edge.
    pub crown_y_px: Option<f64>,
    /// Chin, y px from the top edge.
    pub chin_y_px: Option<f64>,
    /// Head length crown to chin, px.
    pub head_length_px: Option<f64>,
    /// Head length crown to chin, mm.
    pub head_length_mm: Option<f64>,
    /// Estimated top of the skull (hair ignored), y px.
    pub skull_top_y_px: Option<f64>,
    /// Head length from the estimated skull top to the chin, mm.
    pub head_length_skull_mm: Option<f64>,
    /// Head width, outer ear to outer ear, mm (`None` when an ear is hidden).
    pub head_width_ears_mm: Option<f64>,
    /// Face width at the ear roots, mm.
    pub head_width_ear_roots_mm: Option<f64>,
    /// Hair silhouette width at eyebrow level, mm.
    pub head_width_silhouette_mm: Option<f64>,
    /// Crown margin (top edge to crown), mm.
    pub crown_margin_mm: Option<f64>,
    /// Chin margin (chin to bottom edge), mm.
    pub chin_margin_mm: Option<f64>,
    /// Eye line above the bottom edge, mm.
    pub eye_line_from_bottom_mm: Option<f64>,
    /// Horizontal offset of the face centre from the image's middle, share of the width
    /// (negative = left of the middle).
    pub face_centre_offset: Option<f64>,
    /// Eye line, y px from the top edge.
    pub eye_line_y_px: Option<f64>,
    /// Distance between the eye centres, px.
    pub ipd_px: Option<f64>,
    /// Yaw, degrees.
    pub yaw_deg: Option<f64>,
    /// Pitch, degrees.
    pub pitch_deg: Option<f64>,
    /// Roll, degrees.
    pub roll_deg: Option<f64>,
    /// Backdrop mean L*.
    pub background_lightness: Option<f64>,
    /// Backdrop mean chroma C*ab.
    pub background_chroma: Option<f64>,
}

/// Computes the measurements of an analysis in a spec's units.
pub fn measurements(a: &Analysis, spec: &Spec) -> Measurements {
    let mm = spec.mm_per_px(a.facts.height_px);
    let g = a.face.as_ref().map(|f| &f.geometry);
    let p = a.face.as_ref().map(|f| f.pose);
    let w = f64::from(a.facts.width_px.max(1));
    Measurements {
        faces: a.faces.len(),
        mm_per_px: mm,
        crown_y_px: g.map(|g| g.crown_y),
        chin_y_px: g.map(|g| g.chin_y),
        head_length_px: g.map(|g| g.head_length_px()),
        head_length_mm: g.map(|g| g.head_length_px() * mm),
        skull_top_y_px: g.map(|g| g.skull_top_y),
        head_length_skull_mm: g.map(|g| (g.chin_y - g.skull_top_y) * mm),
        head_width_ears_mm: g.and_then(|g| g.width_ears_px()).map(|v| v * mm),
        head_width_ear_roots_mm: g.map(|g| g.width_ear_roots_px() * mm),
        head_width_silhouette_mm: g.and_then(|g| g.width_silhouette_px()).map(|v| v * mm),
        crown_margin_mm: g.map(|g| g.crown_y * mm),
        chin_margin_mm: g.map(|g| (f64::from(a.facts.height_px) - g.chin_y) * mm),
        eye_line_from_bottom_mm: g.map(|g| (f64::from(a.facts.height_px) - g.eye_line_y()) * mm),
        face_centre_offset: g.map(|g| (g.face_centre_x - w / 2.0) / w),
        eye_line_y_px: g.map(|g| g.eye_line_y()),
        ipd_px: g.map(|g| g.ipd_px()),
        yaw_deg: p.map(|p| p.yaw_deg),
        pitch_deg: p.map(|p| p.pitch_deg),
        roll_deg: p.map(|p| p.roll_deg),
        background_lightness: a.background.as_ref().map(|b| b.mean_lightness),
        background_chroma: a.background.as_ref().map(|b| b.mean_chroma),
    }
}

/// The check ids a spec produces, in the order [`run_checks`] reports them.
pub fn check_ids(spec: &Spec) -> Vec<String> {
    let r = &spec.rules;
    let mut ids = Vec::new();
    let mut add = |on: bool, names: &[&str]| {
        if on {
            ids.extend(names.iter().map(|n| n.to_string()));
        }
    };
    add(r.image_aspect.is_some(), &["image_aspect"]);
    add(r.image_pixels.is_some(), &["image_pixels"]);
    add(r.file_format.is_some(), &["file_format"]);
    add(r.file_size.is_some(), &["file_size"]);
    add(r.single_face.is_some(), &["single_face"]);
    add(r.head_length.is_some(), &["head_length"]);
    add(r.head_width.is_some(), &["head_width"]);
    add(r.crown_margin.is_some(), &["crown_margin"]);
    add(r.chin_margin.is_some(), &["chin_margin"]);
    add(r.eye_line.is_some(), &["eye_line"]);
    add(r.head_centred.is_some(), &["head_centred"]);
    add(r.background_white.is_some(), &["background_white"]);
    add(r.background_colour.is_some(), &["background_colour"]);
    add(r.background_uniform.is_some(), &["background_uniform"]);
    add(r.colour_photo.is_some(), &["colour_photo"]);
    add(r.pose.is_some(), &["pose_yaw", "pose_pitch", "pose_roll"]);
    add(r.taken_recently.is_some(), &["taken_recently"]);
    ids
}

/// Runs every rule of the spec on an analysis, in a stable order. `today` is the date used by
/// `taken_recently` (local calendar date).
pub fn run_checks(a: &Analysis, spec: &Spec, today: chrono::NaiveDate) -> Vec<CheckResult> {
    let r = &spec.rules;
    let m = measurements(a, spec);
    let mut out: Vec<CheckResult> = Vec::new();
    let mut push = |results: Vec<CheckResult>, source: Option<&String>| {
        let source = spec.rule_source(source);
        out.extend(results.into_iter().map(|mut c| {
            c.spec_source = source.clone();
            c
        }));
    };
    if let Some(rule) = &r.image_aspect {
        push(
            vec![file::image_aspect(a, spec, rule)],
            rule.source.as_ref(),
        );
    }
    if let Some(rule) = &r.image_pixels {
        push(vec![file::image_pixels(a, rule)], rule.source.as_ref());
    }
    if let Some(rule) = &r.file_format {
        push(vec![file::file_format(a, rule)], rule.source.as_ref());
    }
    if let Some(rule) = &r.file_size {
        push(vec![file::file_size(a, rule)], rule.source.as_ref());
    }
    if let Some(rule) = &r.single_face {
        push(vec![head::single_face(a, rule)], rule.source.as_ref());
    }
    if let Some(rule) = &r.head_length {
        push(vec![head::head_length(&m, rule)], rule.source.as_ref());
    }
    if let Some(rule) = &r.head_width {
        push(vec![head::head_width(&m, rule)], rule.source.as_ref());
    }
    if let Some(rule) = &r.crown_margin {
        push(vec![head::crown_margin(&m, rule)], rule.source.as_ref());
    }
    if let Some(rule) = &r.chin_margin {
        push(vec![head::chin_margin(&m, rule)], rule.source.as_ref());
    }
    if let Some(rule) = &r.eye_line {
        push(vec![head::eye_line(&m, spec, rule)], rule.source.as_ref());
    }
    if let Some(rule) = &r.head_centred {
        push(vec![head::head_centred(&m, rule)], rule.source.as_ref());
    }
    if let Some(rule) = &r.background_white {
        push(
            vec![appearance::background_white(a, rule)],
            rule.source.as_ref(),
        );
    }
    if let Some(rule) = &r.background_colour {
        push(
            vec![appearance::background_colour(a, rule)],
            rule.source.as_ref(),
        );
    }
    if let Some(rule) = &r.background_uniform {
        push(
            vec![appearance::background_uniform(a, rule)],
            rule.source.as_ref(),
        );
    }
    if let Some(rule) = &r.colour_photo {
        push(
            vec![appearance::colour_photo(a, rule)],
            rule.source.as_ref(),
        );
    }
    if let Some(rule) = &r.pose {
        push(head::pose(&m, rule), rule.source.as_ref());
    }
    if let Some(rule) = &r.taken_recently {
        push(
            vec![file::taken_recently(a, rule, today)],
            rule.source.as_ref(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_boundaries_are_inclusive() {
        let at = |v| {
            range_check(
                "x",
                Severity::Error,
                Some(v),
                "mm",
                Some(19.0),
                Some(22.0),
                "x",
            )
        };
        assert_eq!(at(19.0).status, Status::Pass);
        assert_eq!(at(22.0).status, Status::Pass);
        assert_eq!(at(18.99).status, Status::Fail);
        assert_eq!(at(22.01).status, Status::Fail);
        assert!(
            at(23.0).message.contains("1 mm too large"),
            "{}",
            at(23.0).message
        );
        let warn = range_check("x", Severity::Warn, Some(30.0), "KB", None, Some(20.0), "x");
        assert_eq!(warn.status, Status::Warn);
        assert!(!warn.fails_photo());
        let none = range_check("x", Severity::Error, None, "mm", Some(1.0), None, "x");
        assert_eq!(none.status, Status::NotMeasured);
        assert!(none.fails_photo());
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(fmt(20.1), "20.1");
        assert_eq!(fmt(0.84656), "0.847");
        assert_eq!(fmt(260.0), "260");
    }
}

/// Boundary tests for every check on a hand-built analysis (values chosen, not measured).
#[cfg(test)]
mod boundary_tests {
    use super::*;
    use crate::analysis::geometry::{CrownMethod, HeadGeometry};
    use crate::analysis::landmarks::FaceMesh;
    use crate::analysis::{BackgroundStats, ColourStats, FaceAnalysis, Pose};
    use crate::decode::ImageFacts;

    /// A 260x378 px analysis (mm per px = 32/378) with the given crown and chin rows, face
    /// centre x, ear edges, pose and backdrop.
    fn analysis(crown: f64, chin: f64, centre_x: f64, ears: [f64; 2]) -> Analysis {
        let geometry = HeadGeometry {
            crown_y: crown,
            crown_x: centre_x,
            crown_method: CrownMethod::Backdrop,
            skull_top_y: crown + 20.0,
            chin_y: chin,
            chin_x: centre_x,
            ear_outer_x: [Some(ears[0]), Some(ears[1])],
            ear_root_x: [ears[0] + 15.0, ears[1] - 15.0],
            silhouette_x: Some([ears[0] - 2.0, ears[1] + 2.0]),
            eyebrow_y: crown + 60.0,
            eyes: [
                [centre_x - 30.0, crown + 100.0],
                [centre_x + 30.0, crown + 100.0],
            ],
            face_centre_x: centre_x,
        };
        let mut hist = vec![0u32; 101];
        hist[99] = 990;
        hist[80] = 10;
        Analysis {
            facts: ImageFacts {
                width_px: 260,
                height_px: 378,
                format: "jpeg".into(),
                bytes: 20 * 1024,
                dpi: None,
                exif_orientation: None,
                capture_date: Some("2026-01-01T10:00:00".into()),
            },
            faces: vec![crate::analysis::face::FaceBox {
                x: 60.0,
                y: 80.0,
                width: 140.0,
                height: 140.0,
                score: 20.0,
            }],
            face: Some(FaceAnalysis {
                mesh: FaceMesh {
                    points: Vec::new(),
                    presence: 1.0,
                },
                geometry,
                pose: Pose {
                    yaw_deg: 10.0,
                    pitch_deg: -10.0,
                    roll_deg: 8.01,
                },
            }),
            background: Some(BackgroundStats {
                pixels: 1000,
                share_of_image: 0.4,
                mean_lightness: 92.0,
                mean_chroma: 6.0,
                lightness_histogram: hist,
                mean_lab: [92.0, 0.0, 6.0],
                delta_e_histogram: {
                    let mut d = vec![0u32; 51];
                    d[1] = 960;
                    d[12] = 40;
                    d
                },
            }),
            colour: Some(ColourStats {
                face_chroma: 5.0,
                hue_spread_deg: Some(6.0),
            }),
            person_mask: None,
            work_scale: 1.0,
            timings: Default::default(),
        }
    }

    fn status_of(a: &Analysis, spec: &Spec, id: &str) -> Status {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        run_checks(a, spec, today)
            .into_iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("{id} not run"))
            .status
    }

    fn px(mm: f64) -> f64 {
        mm * 378.0 / 32.0
    }

    #[test]
    fn head_length_limits_are_inclusive() {
        let spec = Spec::preset("cn-driving-licence").unwrap();
        let crown = 15.0;
        for (mm, want) in [
            (19.0, Status::Pass),
            (22.0, Status::Pass),
            (18.95, Status::Fail),
            (22.05, Status::Fail),
        ] {
            let a = analysis(crown, crown + px(mm), 130.0, [40.0, 220.0]);
            assert_eq!(status_of(&a, &spec, "head_length"), want, "{mm} mm");
        }
    }

    #[test]
    fn crown_margin_is_10_to_20_px_at_378() {
        let spec = Spec::preset("cn-driving-licence").unwrap();
        for (crown, want) in [
            (10.0, Status::Pass),
            (20.0, Status::Pass),
            (9.9, Status::Fail),
            (20.1, Status::Fail),
        ] {
            let a = analysis(crown, crown + 240.0, 130.0, [40.0, 220.0]);
            assert_eq!(status_of(&a, &spec, "crown_margin"), want, "{crown} px");
        }
    }

    #[test]
    fn head_width_uses_the_ears() {
        let spec = Spec::preset("cn-driving-licence").unwrap();
        for (width_mm, want) in [
            (14.0, Status::Pass),
            (16.0, Status::Pass),
            (13.9, Status::Fail),
            (16.1, Status::Fail),
        ] {
            let w = px(width_mm);
            let a = analysis(15.0, 255.0, 130.0, [130.0 - w / 2.0, 130.0 + w / 2.0]);
            assert_eq!(status_of(&a, &spec, "head_width"), want, "{width_mm} mm");
        }
        let mut hidden = analysis(15.0, 255.0, 130.0, [40.0, 220.0]);
        hidden.face.as_mut().unwrap().geometry.ear_outer_x[0] = None;
        assert_eq!(status_of(&hidden, &spec, "head_width"), Status::NotMeasured);
    }

    #[test]
    fn centring_within_5_percent() {
        let spec = Spec::preset("cn-driving-licence").unwrap();
        let at = |x| {
            status_of(
                &analysis(15.0, 255.0, x, [40.0, 220.0]),
                &spec,
                "head_centred",
            )
        };
        assert_eq!(at(130.0 + 13.0), Status::Pass);
        assert_eq!(at(130.0 - 13.0), Status::Pass);
        assert_eq!(at(130.0 + 13.5), Status::Fail);
    }

    #[test]
    fn pose_limits() {
        let spec = Spec::preset("cn-driving-licence").unwrap();
        let a = analysis(15.0, 255.0, 130.0, [40.0, 220.0]);
        assert_eq!(status_of(&a, &spec, "pose_yaw"), Status::Pass);
        assert_eq!(status_of(&a, &spec, "pose_pitch"), Status::Pass);
        assert_eq!(status_of(&a, &spec, "pose_roll"), Status::Fail);
    }

    #[test]
    fn background_and_colour_limits() {
        let spec = Spec::preset("cn-driving-licence").unwrap();
        let mut a = analysis(15.0, 255.0, 130.0, [40.0, 220.0]);
        assert_eq!(status_of(&a, &spec, "background_white"), Status::Pass);
        assert_eq!(status_of(&a, &spec, "colour_photo"), Status::Pass);
        a.background.as_mut().unwrap().mean_lightness = 91.9;
        assert_eq!(status_of(&a, &spec, "background_white"), Status::Fail);
        a.background.as_mut().unwrap().mean_lightness = 95.0;
        a.background.as_mut().unwrap().lightness_histogram[80] = 25; // 2.5 % dark
        assert_eq!(status_of(&a, &spec, "background_white"), Status::Fail);
        a.colour = Some(ColourStats {
            face_chroma: 4.9,
            hue_spread_deg: Some(20.0),
        });
        assert_eq!(status_of(&a, &spec, "colour_photo"), Status::Fail);
        a.colour = Some(ColourStats {
            face_chroma: 12.0,
            hue_spread_deg: Some(3.0),
        });
        assert_eq!(status_of(&a, &spec, "colour_photo"), Status::Fail);
        a.background = None;
        assert_eq!(
            status_of(&a, &spec, "background_white"),
            Status::NotMeasured
        );
    }

    #[test]
    fn faces_aspect_and_file_rules() {
        let spec = Spec::preset("cn-driving-licence-digital").unwrap();
        let mut a = analysis(15.0, 255.0, 130.0, [40.0, 220.0]);
        assert_eq!(status_of(&a, &spec, "single_face"), Status::Pass);
        assert_eq!(status_of(&a, &spec, "image_aspect"), Status::Pass);
        assert_eq!(status_of(&a, &spec, "image_pixels"), Status::Pass);
        assert_eq!(status_of(&a, &spec, "file_format"), Status::Pass);
        assert_eq!(status_of(&a, &spec, "file_size"), Status::Pass);
        assert_eq!(status_of(&a, &spec, "taken_recently"), Status::Pass);
        a.facts.bytes = 31 * 1024;
        assert_eq!(status_of(&a, &spec, "file_size"), Status::Warn);
        a.facts.format = "png".into();
        assert_eq!(status_of(&a, &spec, "file_format"), Status::Fail);
        a.facts.width_px = 300;
        assert_eq!(status_of(&a, &spec, "image_aspect"), Status::Fail);
        assert_eq!(status_of(&a, &spec, "image_pixels"), Status::Fail);
        a.facts.capture_date = Some("2025-11-01T00:00:00".into());
        assert_eq!(status_of(&a, &spec, "taken_recently"), Status::Warn);
        a.faces.push(a.faces[0]);
        assert_eq!(status_of(&a, &spec, "single_face"), Status::Fail);
        a.faces.clear();
        a.face = None;
        assert_eq!(status_of(&a, &spec, "single_face"), Status::Fail);
        assert_eq!(status_of(&a, &spec, "head_length"), Status::NotMeasured);
    }

    /// An analysis of a photo built to a spec's centre values: image size from its pixel
    /// rule (or 300 dpi), head length, width and margins at the middle of their bands, eyes
    /// where the eye-line rule wants them, backdrop in the first allowed colour.
    fn centre_analysis(spec: &Spec) -> Analysis {
        use crate::spec::{EyeLineFrom, WidthBasis};
        let r = &spec.rules;
        let dpi = spec.photo.dpi.unwrap_or(300.0);
        let mut w = (spec.photo.width_mm / 25.4 * dpi).round() as u32;
        let mut h = (spec.photo.height_mm / 25.4 * dpi).round() as u32;
        if let Some(p) = &r.image_pixels {
            if let Some(ph) = p.height_px {
                h = ph;
            }
            if let (Some(lo), Some(hi)) = (p.min_height_px, p.max_height_px) {
                h = (lo + hi) / 2;
            } else if let Some(lo) = p.min_height_px {
                h = h.max(lo);
            }
            if let Some(lo) = p.min_width_px {
                let need = f64::from(lo) * spec.photo.height_mm / spec.photo.width_mm;
                h = h.max(need.ceil() as u32);
            }
            w = p.width_px.unwrap_or(
                (f64::from(h) * spec.photo.width_mm / spec.photo.height_mm).round() as u32,
            );
        }
        let mm = spec.mm_per_px(h);
        let photo_h = f64::from(h) * mm;
        let mid = |lo: Option<f64>, hi: Option<f64>| match (lo, hi) {
            (Some(l), Some(hh)) => Some((l + hh) / 2.0),
            (Some(l), None) => Some(l + 1.0),
            (None, Some(hh)) => Some(hh - 1.0),
            (None, None) => None,
        };
        let head = r
            .head_length
            .as_ref()
            .map_or(0.62 * photo_h, |x| (x.min_mm + x.max_mm) / 2.0);
        // Eye line from the top edge, mm, when the spec sets it.
        let eye_top = r.eye_line.as_ref().and_then(|e| {
            let v = if e.min_share.is_some() || e.max_share.is_some() {
                mid(e.min_share, e.max_share).map(|s| s * spec.photo.height_mm)
            } else {
                mid(e.min_mm, e.max_mm)
            }?;
            Some(match e.from {
                EyeLineFrom::Bottom => spec.photo.height_mm - v,
                EyeLineFrom::Top => v,
            })
        });
        let crown_mm = if let Some(c) = &r.crown_margin {
            (c.min_mm + c.max_mm) / 2.0
        } else if let Some(e) = eye_top {
            e - 0.5 * head
        } else if let Some(c) = &r.chin_margin {
            photo_h - head - mid(c.min_mm, c.max_mm).unwrap()
        } else {
            (photo_h - head) / 2.0
        };
        let eye_mm = eye_top.unwrap_or(crown_mm + 0.5 * head);
        let width_mm = r
            .head_width
            .as_ref()
            .map_or(0.6 * spec.photo.width_mm, |x| {
                let _ = WidthBasis::Ears;
                (x.min_mm + x.max_mm) / 2.0
            });
        let cx = f64::from(w) / 2.0;
        let half = width_mm / mm / 2.0;
        let mut a = analysis(
            crown_mm / mm,
            (crown_mm + head) / mm,
            cx,
            [cx - half, cx + half],
        );
        {
            let g = &mut a.face.as_mut().unwrap().geometry;
            g.skull_top_y = g.crown_y;
            g.ear_root_x = [cx - half, cx + half];
            g.silhouette_x = Some([cx - half, cx + half]);
            g.eyes = [[cx - 30.0, eye_mm / mm], [cx + 30.0, eye_mm / mm]];
        }
        a.face.as_mut().unwrap().pose = Pose {
            yaw_deg: 0.0,
            pitch_deg: 0.0,
            roll_deg: 0.0,
        };
        a.facts.width_px = w;
        a.facts.height_px = h;
        a.facts.capture_date = None;
        if let Some(f) = &r.file_format {
            a.facts.format = f.formats[0].clone();
        }
        if let Some(f) = &r.file_size {
            a.facts.bytes = ((f.min_kb + f.max_kb) / 2.0 * 1024.0) as u64;
        }
        let bg = a.background.as_mut().unwrap();
        let mut hist = vec![0u32; 101];
        hist[99] = 1000;
        bg.lightness_histogram = hist;
        bg.mean_lightness = 99.0;
        bg.mean_chroma = 0.5;
        bg.mean_lab = r
            .background_colour
            .as_ref()
            .map_or([99.0, 0.0, 0.5], |c| c.colours[0].lab);
        bg.delta_e_histogram = {
            let mut d = vec![0u32; 51];
            d[1] = 1000;
            d
        };
        a
    }

    #[test]
    fn a_photo_built_to_each_presets_centre_values_passes_it() {
        for spec in Spec::presets() {
            let a = centre_analysis(&spec);
            let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
            let results = run_checks(&a, &spec, today);
            let ids: Vec<String> = results.iter().map(|c| c.id.clone()).collect();
            assert_eq!(ids, check_ids(&spec), "{}: check_ids order", spec.id);
            for c in results {
                assert!(
                    matches!(c.status, Status::Pass | Status::Skipped),
                    "{}: {} {:?}: {}",
                    spec.id,
                    c.id,
                    c.status,
                    c.message
                );
                assert!(
                    c.spec_source.is_some(),
                    "{}: {} has no source",
                    spec.id,
                    c.id
                );
            }
        }
    }
}
