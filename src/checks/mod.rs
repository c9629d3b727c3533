//! Checks: one [`Check`] per rule of a spec, each a pure function of one [`CheckInput`] (the
//! analysis, its measurements in the spec's units, the spec, today's date).
//!
//! [`CHECKS`] is the ONE list of rules: the check ids and their order in reports, the spec's
//! rule tables (`[rules.<table>]`), parsing and validation of each rule's parameters, the
//! Chinese rule names, the `photocheck specs` summaries and the analysis stages a spec needs
//! all come from it. One file per family ([`frame`], [`file`](mod@file), [`head`], [`pose`],
//! [`background`], [`colour`], [`appearance`]), each holding its rules' parameters, validation, checks and
//! unit tests.
//!
//! No check decodes, detects or segments; each reads what the analysis measured once. A value
//! that could not be measured gives `not_measured`, never a pass.
//!
//! To add a check: write its parameter struct in its family's file with `impl Check` (table,
//! ids with Chinese names, stages, `validate`, `check`, `summary`), then add one line to
//! [`CHECKS`]. See ARCHITECTURE.md.

pub mod advice;
pub mod appearance;
pub mod background;
pub mod colour;
pub mod file;
pub mod frame;
pub mod head;
mod measurements;
pub mod pose;
mod rule;

use serde::{Deserialize, Serialize};

use crate::analysis::Analysis;
use crate::spec::{Severity, Spec};

pub use measurements::{Measurements, measurements};
pub use rule::{Advice, Check, CheckName, Problem, Repair, Rule, RuleKind, Rules, SpecRule};

/// Every rule photocheck knows, in report order: the one list from which check ids, spec
/// tables, parsing, validation, translations, summaries and needed stages come.
pub static CHECKS: &[&dyn RuleKind] = &[
    &rule::kind::<frame::ImageAspect>(),
    &rule::kind::<frame::ImagePixels>(),
    &rule::kind::<frame::ImageDpi>(),
    &rule::kind::<file::FileFormat>(),
    &rule::kind::<file::FileSize>(),
    &rule::kind::<head::SingleFace>(),
    &rule::kind::<head::HeadLength>(),
    &rule::kind::<head::HeadWidth>(),
    &rule::kind::<head::CrownMargin>(),
    &rule::kind::<head::ChinMargin>(),
    &rule::kind::<head::EyeLine>(),
    &rule::kind::<head::HeadCentred>(),
    &rule::kind::<background::BackgroundWhite>(),
    &rule::kind::<background::BackgroundColour>(),
    &rule::kind::<background::BackgroundUniform>(),
    &rule::kind::<colour::ColourPhoto>(),
    &rule::kind::<pose::PoseLimits>(),
    &rule::kind::<frame::HalfBody>(),
    &rule::kind::<appearance::BareHead>(),
    &rule::kind::<appearance::EyesOpen>(),
    &rule::kind::<appearance::MouthClosed>(),
    &rule::kind::<appearance::ExpressionNeutral>(),
    &rule::kind::<appearance::LensesClear>(),
    &rule::kind::<appearance::NoGlare>(),
    &rule::kind::<appearance::EvenLighting>(),
    &rule::kind::<appearance::Exposure>(),
    &rule::kind::<appearance::Sharpness>(),
    &rule::kind::<file::TakenRecently>(),
];

/// The rule kind of a spec table name (`head_length`, `pose`, ...).
pub fn kind_of_table(table: &str) -> Option<&'static dyn RuleKind> {
    CHECKS.iter().copied().find(|k| k.table() == table)
}

/// The name of a check id: `(English, Chinese)`; `None` for an unknown id.
pub fn check_name(id: &str) -> Option<&'static CheckName> {
    CHECKS.iter().flat_map(|k| k.ids()).find(|n| n.id == id)
}

/// Every check id photocheck reports, in report order.
pub fn all_check_ids() -> impl Iterator<Item = &'static str> {
    CHECKS.iter().flat_map(|k| k.ids()).map(|n| n.id)
}

/// What every check reads: the analysis, its measurements in the spec's units (computed once
/// per photo), the spec and the date `taken_recently` counts from.
#[derive(Debug, Clone, Copy)]
pub struct CheckInput<'a> {
    /// Everything measured on the photo.
    pub analysis: &'a Analysis,
    /// The analysis in the spec's units (px and mm).
    pub measurements: &'a Measurements,
    /// The spec being checked.
    pub spec: &'a Spec,
    /// Today's local calendar date (for `taken_recently`).
    pub today: chrono::NaiveDate,
}

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Within the rule.
    Pass,
    /// Outside the rule. Whether that fails the photo is the rule's severity: `error` fails
    /// it, `warn` only reports it (DESIGN.md: the verdict fails when an `error` check fails
    /// or is not measured).
    Fail,
    /// Not produced by photocheck's rules (a rule outside its limits is `fail`, with its
    /// severity); kept so that reports of other tools and older versions still read.
    /// Reporters show a failed `warn`-severity rule as a warning ([`CheckResult::shown_status`]).
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
    /// What to do about it, for a failed or unmeasured rule (English and Chinese, with
    /// whether `photocheck fix` can repair it); `None` for a passed or skipped rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advice: Option<Advice>,
}

impl CheckResult {
    /// The status as reporters show it: a failed rule of severity `warn` shows as
    /// [`Status::Warn`] (reported, not failing the photo); otherwise [`CheckResult::status`].
    pub fn shown_status(&self) -> Status {
        match (self.status, self.severity) {
            (Status::Fail, Severity::Warn) => Status::Warn,
            (s, _) => s,
        }
    }

    /// True when this result makes the photo fail (a failed or unmeasured `error` rule).
    pub fn fails_photo(&self) -> bool {
        self.severity == Severity::Error
            && matches!(self.status, Status::Fail | Status::NotMeasured)
    }
}

/// The check ids a spec produces, in the order [`run_checks`] reports them.
pub fn check_ids(spec: &Spec) -> Vec<String> {
    spec.rules.check_ids().map(str::to_string).collect()
}

/// Runs every rule of the spec, in report order ([`CHECKS`]). Each result carries the rule's
/// severity and its source (the rule's `source`, else the spec's first source), and a failed
/// or unmeasured one its advice ([`advice::advise`]).
pub fn run_checks(input: &CheckInput) -> Vec<CheckResult> {
    let mut results: Vec<CheckResult> = input
        .spec
        .rules
        .iter()
        .flat_map(|rule| {
            let source = input.spec.rule_source(rule.source());
            rule.run(input).into_iter().map(move |mut c| {
                c.spec_source = source.clone();
                c
            })
        })
        .collect();
    advice::advise(&mut results, input);
    results
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
            let status = if low || high {
                Status::Fail
            } else {
                Status::Pass
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
        advice: None,
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

/// The status of a yes/no rule: pass or fail (the rule's severity decides whether a failure
/// fails the photo; see [`CheckResult::fails_photo`]).
pub(crate) fn outcome(ok: bool, _severity: Severity) -> Status {
    if ok { Status::Pass } else { Status::Fail }
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
        assert_eq!(warn.status, Status::Fail);
        assert_eq!(warn.shown_status(), Status::Warn);
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

/// A hand-built analysis for the checks' boundary tests (values chosen, not measured).
#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use crate::analysis::head::{CrownMethod, HeadGeometry};
    use crate::analysis::{BackgroundStats, ColourStats, Pose, Stages};
    use crate::decode::ImageFacts;

    /// The appearance of a compliant face: eyes open, mouth closed, neutral, no glasses,
    /// even light, sharp, dark hair on top matching the sides.
    pub(crate) fn neutral_appearance() -> crate::analysis::Appearance {
        crate::analysis::Appearance {
            skin_lightness: 65.0,
            iris_contrast: [25.0, 25.0],
            eyelid_opening: [None, None],
            mouth_opening: 0.03,
            teeth_share: 0.0,
            corner_lift: 0.0,
            mouth_width: 0.8,
            lens_darkening: 3.0,
            glare_share: 0.0,
            side_lightness: [64.0, 66.0],
            highlight_share: 0.0,
            face_highlight_lightness: 85.0,
            blur: 0.3,
            head_top_chroma: Some(8.0),
            head_top_vs_side_hair: Some(5.0),
            head_top_vs_skin: Some(40.0),
            head_top_height: 1.0,
        }
    }

    /// A 260x378 px analysis (mm per px = 32/378) with the given crown and chin rows, face
    /// centre x, ear edges, pose and backdrop.
    pub(crate) fn analysis(crown: f64, chin: f64, centre_x: f64, ears: [f64; 2]) -> Analysis {
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
            outline_ear_level_x: Some([ears[0] - 4.0, ears[1] + 4.0]),
            bottom_person_width: 260.0,
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
                transparent_share: None,
            },
            stages: Stages::ALL,
            faces: vec![crate::analysis::FaceBox {
                x: 60.0,
                y: 80.0,
                width: 140.0,
                height: 140.0,
                score: 20.0,
                eyes: None,
            }],
            upright_turn_deg: None,
            mesh: None,
            head: Some(geometry),
            pose: Some(Pose {
                yaw_deg: 10.0,
                pitch_deg: -10.0,
                roll_deg: 8.01,
            }),
            background: Some(BackgroundStats {
                edge_band_share: 0.0,
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
                photo_chroma_p95: 12.0,
                lip_hue_difference_deg: Some(10.0),
            }),
            appearance: Some(neutral_appearance()),
            person_mask: None,
            work_scale: 1.0,
            timings: Default::default(),
        }
    }

    /// Runs a spec's checks on an analysis (today is 2026-06-30).
    pub(crate) fn results(a: &Analysis, spec: &Spec) -> Vec<CheckResult> {
        let m = measurements(a, spec);
        let input = CheckInput {
            analysis: a,
            measurements: &m,
            spec,
            today: chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
        };
        run_checks(&input)
    }

    /// The status of check `id`.
    pub(crate) fn status_of(a: &Analysis, spec: &Spec, id: &str) -> Status {
        results(a, spec)
            .into_iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("{id} not run"))
            .status
    }

    /// mm to px at 378 px for 32 mm.
    pub(crate) fn px(mm: f64) -> f64 {
        mm * 378.0 / 32.0
    }

    /// An analysis of a photo built to a spec's centre values: image size from its pixel
    /// rule (or 300 dpi), head length, width and margins at the middle of their bands, eyes
    /// where the eye-line rule wants them, backdrop in the first allowed colour.
    pub(crate) fn centre_analysis(spec: &Spec) -> Analysis {
        use super::background::BackgroundColour;
        use super::file::{FileFormat, FileSize};
        use super::frame::ImagePixels;
        use super::head::{ChinMargin, CrownMargin, EyeLine, EyeLineFrom, HeadLength, HeadWidth};
        let r = &spec.rules;
        let dpi = spec.photo.dpi.unwrap_or(300.0);
        let mut w = (spec.photo.width_mm / 25.4 * dpi).round() as u32;
        let mut h = (spec.photo.height_mm / 25.4 * dpi).round() as u32;
        if let Some(p) = r.get::<ImagePixels>().map(|r| &r.params) {
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
            .get::<HeadLength>()
            .map(|r| &r.params)
            .map_or(0.62 * photo_h, |x| (x.min_mm + x.max_mm) / 2.0);
        // Eye line from the top edge, mm, when the spec sets it.
        let eye_top = r.get::<EyeLine>().map(|r| &r.params).and_then(|e| {
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
        let crown_mm = if let Some(c) = r.get::<CrownMargin>().map(|r| &r.params) {
            (c.min_mm + c.max_mm) / 2.0
        } else if let Some(e) = eye_top {
            e - 0.5 * head
        } else if let Some(c) = r.get::<ChinMargin>().map(|r| &r.params) {
            photo_h - head - mid(c.min_mm, c.max_mm).unwrap()
        } else {
            (photo_h - head) / 2.0
        };
        let eye_mm = eye_top.unwrap_or(crown_mm + 0.5 * head);
        let width_mm = r.get::<HeadWidth>().map_or(0.6 * spec.photo.width_mm, |x| {
            (x.params.min_mm + x.params.max_mm) / 2.0
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
            let g = a.head.as_mut().unwrap();
            g.skull_top_y = g.crown_y;
            g.ear_root_x = [cx - half, cx + half];
            g.silhouette_x = Some([cx - half, cx + half]);
            g.eyes = [[cx - 30.0, eye_mm / mm], [cx + 30.0, eye_mm / mm]];
        }
        a.pose = Some(Pose {
            yaw_deg: 0.0,
            pitch_deg: 0.0,
            roll_deg: 0.0,
        });
        a.facts.width_px = w;
        a.facts.height_px = h;
        a.facts.capture_date = None;
        if let Some(d) = r.get::<super::frame::ImageDpi>() {
            a.facts.dpi = Some([d.params.dpi; 2]);
        }
        if let Some(f) = r.get::<FileFormat>().map(|r| &r.params) {
            a.facts.format = f.formats[0].clone();
        }
        if let Some(f) = r.get::<FileSize>().map(|r| &r.params) {
            a.facts.bytes = ((f.min_kb + f.max_kb) / 2.0 * 1024.0) as u64;
        }
        let bg = a.background.as_mut().unwrap();
        let mut hist = vec![0u32; 101];
        hist[99] = 1000;
        bg.lightness_histogram = hist;
        bg.mean_lightness = 99.0;
        bg.mean_chroma = 0.5;
        bg.mean_lab = r
            .get::<BackgroundColour>()
            .map_or([99.0, 0.0, 0.5], |c| c.params.colours[0].lab);
        bg.delta_e_histogram = {
            let mut d = vec![0u32; 51];
            d[1] = 1000;
            d
        };
        a
    }
}

/// Every preset's centre values pass it, in [`CHECKS`] order, every result with a source.
#[cfg(test)]
mod centre_tests {
    use super::testing::{centre_analysis, results};
    use super::*;

    #[test]
    fn a_photo_built_to_each_presets_centre_values_passes_it() {
        for spec in Spec::presets() {
            let a = centre_analysis(&spec);
            let results = results(&a, &spec);
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
