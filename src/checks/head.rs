//! Head rules: single face, head length, head width, crown margin, centring, pose.

use super::{CheckResult, Measurements, mm_check, outcome, range_check};
use crate::analysis::Analysis;
use crate::spec::{
    CentredRule, ChinMarginRule, CrownBasis, CrownMarginRule, EyeLineFrom, EyeLineRule,
    HeadLengthRule, HeadWidthRule, PlainRule, PoseRule, Spec, WidthBasis,
};

/// `single_face`: exactly one face (see [`crate::analysis::face::MIN_FACE_SCORE`]).
pub(super) fn single_face(a: &Analysis, rule: &PlainRule) -> CheckResult {
    let n = a.faces.len();
    let ok = n == 1;
    CheckResult {
        id: "single_face".into(),
        status: outcome(ok, rule.severity),
        severity: rule.severity,
        value: Some(n as f64),
        unit: "count".into(),
        min: Some(1.0),
        max: Some(1.0),
        message: match n {
            0 => "no face found (required exactly 1)".into(),
            1 => "1 face".into(),
            n => format!("{n} faces found (required exactly 1)"),
        },
        spec_source: None,
    }
}

/// `head_length`: crown to chin, mm. With `crown = "skull"` the crown is the estimated top of
/// the skull (see [`crate::analysis::geometry::SKULL_EYE_RATIO`]) and the message says so.
pub(super) fn head_length(m: &Measurements, rule: &HeadLengthRule) -> CheckResult {
    let (value, what) = match rule.crown {
        CrownBasis::Hair => (m.head_length_mm, "head length (top of hair to chin)"),
        CrownBasis::Skull => (
            m.head_length_skull_mm,
            "head length (top of skull to chin, skull top estimated from the face)",
        ),
    };
    let range = (Some(rule.min_mm), Some(rule.max_mm));
    mm_check(
        "head_length",
        rule.severity,
        value,
        range,
        what,
        m.mm_per_px,
    )
}

/// `chin_margin`: chin to the bottom edge of the photo, mm.
pub(super) fn chin_margin(m: &Measurements, rule: &ChinMarginRule) -> CheckResult {
    let (value, range) = (m.chin_margin_mm, (rule.min_mm, rule.max_mm));
    mm_check(
        "chin_margin",
        rule.severity,
        value,
        range,
        "space below the chin",
        m.mm_per_px,
    )
}

/// `eye_line`: height of the eye line from the bottom or the top edge, in mm or as a share of
/// the photo height (as the rule is written).
pub(super) fn eye_line(m: &Measurements, spec: &Spec, rule: &EyeLineRule) -> CheckResult {
    let from_bottom = m.eye_line_from_bottom_mm;
    let mm = match rule.from {
        EyeLineFrom::Bottom => from_bottom,
        EyeLineFrom::Top => from_bottom.map(|b| spec.photo.height_mm - b),
    };
    let edge = match rule.from {
        EyeLineFrom::Bottom => "bottom",
        EyeLineFrom::Top => "top",
    };
    if rule.min_share.is_some() || rule.max_share.is_some() {
        range_check(
            "eye_line",
            rule.severity,
            mm.map(|v| v / spec.photo.height_mm),
            "share",
            rule.min_share,
            rule.max_share,
            &format!("eye line from the {edge}, share of the height,"),
        )
    } else {
        range_check(
            "eye_line",
            rule.severity,
            mm,
            "mm",
            rule.min_mm,
            rule.max_mm,
            &format!("eye line from the {edge} edge"),
        )
    }
}

/// `head_width`: on the spec's basis, mm.
pub(super) fn head_width(m: &Measurements, rule: &HeadWidthRule) -> CheckResult {
    let (value, what) = match rule.basis {
        WidthBasis::Ears => (m.head_width_ears_mm, "head width (outer ear to outer ear)"),
        WidthBasis::EarRoots => (m.head_width_ear_roots_mm, "face width (at the ear roots)"),
        WidthBasis::Silhouette => (
            m.head_width_silhouette_mm,
            "head width (hair silhouette at eyebrow level)",
        ),
    };
    let range = (Some(rule.min_mm), Some(rule.max_mm));
    let mut r = mm_check("head_width", rule.severity, value, range, what, m.mm_per_px);
    if value.is_none() && rule.basis == WidthBasis::Ears && m.head_length_mm.is_some() {
        r.message = format!(
            "{} (an ear is hidden, e.g. by hair, or the photo has no colour to tell skin from hair)",
            r.message
        );
    }
    r
}

/// `crown_margin`: top edge of the photo to the crown, mm.
pub(super) fn crown_margin(m: &Measurements, rule: &CrownMarginRule) -> CheckResult {
    let mut r = range_check(
        "crown_margin",
        rule.severity,
        m.crown_margin_mm,
        "mm",
        Some(rule.min_mm),
        Some(rule.max_mm),
        "space above the head",
    );
    if let Some(px) = m.crown_y_px {
        r.message = format!(
            "{}; {} px (allowed {}-{} px)",
            r.message,
            super::fmt(px),
            super::fmt(rule.min_mm / m.mm_per_px),
            super::fmt(rule.max_mm / m.mm_per_px)
        );
    }
    r
}

/// `head_centred`: |face centre offset| as a share of the image width.
pub(super) fn head_centred(m: &Measurements, rule: &CentredRule) -> CheckResult {
    let mut r = range_check(
        "head_centred",
        rule.severity,
        m.face_centre_offset.map(f64::abs),
        "share",
        None,
        Some(rule.max_offset_frac),
        "face centre off the middle by",
    );
    if let Some(off) = m.face_centre_offset {
        let side = if off < 0.0 { "left" } else { "right" };
        r.message = format!(
            "{} (face is {:.1} % of the width to the {side})",
            r.message,
            off.abs() * 100.0
        );
    }
    r
}

/// `pose_yaw`, `pose_pitch`, `pose_roll`: |angle| in degrees against the limit (signs: see
/// [`crate::analysis::Pose`]; the message gives the signed angle).
pub(super) fn pose(m: &Measurements, rule: &PoseRule) -> Vec<CheckResult> {
    [
        ("pose_yaw", m.yaw_deg, rule.max_yaw_deg, "head turned (yaw)"),
        (
            "pose_pitch",
            m.pitch_deg,
            rule.max_pitch_deg,
            "head nodded (pitch)",
        ),
        (
            "pose_roll",
            m.roll_deg,
            rule.max_roll_deg,
            "head tilted (roll)",
        ),
    ]
    .into_iter()
    .map(|(id, v, max, what)| {
        let mut r = range_check(
            id,
            rule.severity,
            v.map(f64::abs),
            "deg",
            None,
            Some(max),
            what,
        );
        if let Some(v) = v {
            // The value is |angle| against the limit; the message keeps the sign.
            r.message = format!("{} (signed {} deg)", r.message, super::fmt(v));
        }
        r
    })
    .collect()
}
