//! Appearance rules: white background, colour photo.

use super::{CheckResult, Status, fmt, outcome};
use crate::analysis::Analysis;
use crate::spec::{BackgroundColourRule, BackgroundRule, ColourRule, Severity, UniformRule};

/// `background_white`: mean L*, mean chroma and share of dark pixels of the backdrop (CIE
/// L*a*b*, D65). The reported value is the mean L*; the message names every failed part.
pub(super) fn background_white(a: &Analysis, rule: &BackgroundRule) -> CheckResult {
    let Some(bg) = &a.background else {
        return CheckResult {
            id: "background_white".into(),
            status: Status::NotMeasured,
            severity: rule.severity,
            value: None,
            unit: "L*".into(),
            min: Some(rule.min_mean_lightness),
            max: None,
            message: "background not measured (no face, or no backdrop visible)".into(),
            spec_source: None,
        };
    };
    let dark = bg.share_darker_than(rule.dark_lightness);
    let mut problems = Vec::new();
    if bg.mean_lightness < rule.min_mean_lightness {
        problems.push(format!(
            "too dark: mean L* {} (at least {})",
            fmt(bg.mean_lightness),
            fmt(rule.min_mean_lightness)
        ));
    }
    if bg.mean_chroma > rule.max_mean_chroma {
        problems.push(format!(
            "tinted: mean chroma {} (at most {})",
            fmt(bg.mean_chroma),
            fmt(rule.max_mean_chroma)
        ));
    }
    if dark > rule.max_dark_share {
        problems.push(format!(
            "{:.1} % of it darker than L* {} (at most {:.1} %)",
            dark * 100.0,
            fmt(rule.dark_lightness),
            rule.max_dark_share * 100.0
        ));
    }
    let ok = problems.is_empty();
    CheckResult {
        id: "background_white".into(),
        status: outcome(ok, rule.severity),
        severity: rule.severity,
        value: Some(bg.mean_lightness),
        unit: "L*".into(),
        min: Some(rule.min_mean_lightness),
        max: None,
        message: if ok {
            format!(
                "background white: mean L* {}, chroma {}, {:.1} % dark",
                fmt(bg.mean_lightness),
                fmt(bg.mean_chroma),
                dark * 100.0
            )
        } else {
            format!("background not white: {}", problems.join("; "))
        },
        spec_source: None,
    }
}

/// `colour_photo`: face chroma and hue spread over the person. The reported value is the face
/// chroma (C*ab).
pub(super) fn colour_photo(a: &Analysis, rule: &ColourRule) -> CheckResult {
    let Some(c) = &a.colour else {
        return CheckResult {
            id: "colour_photo".into(),
            status: Status::NotMeasured,
            severity: rule.severity,
            value: None,
            unit: "C*ab".into(),
            min: Some(rule.min_face_chroma),
            max: None,
            message: "colour not measured (no face)".into(),
            spec_source: None,
        };
    };
    let grey = c.face_chroma < rule.min_face_chroma;
    let toned = c.hue_spread_deg.is_none_or(|s| s < rule.min_hue_spread_deg);
    let ok = !grey && !toned;
    let spread = c
        .hue_spread_deg
        .map_or("none".to_string(), |s| format!("{} deg", fmt(s)));
    CheckResult {
        id: "colour_photo".into(),
        status: outcome(ok, rule.severity),
        severity: rule.severity,
        value: Some(c.face_chroma),
        unit: "C*ab".into(),
        min: Some(rule.min_face_chroma),
        max: None,
        message: if grey {
            format!(
                "not a colour photo: face chroma {} (at least {})",
                fmt(c.face_chroma),
                fmt(rule.min_face_chroma)
            )
        } else if toned {
            format!(
                "toned monochrome (e.g. sepia): hue spread {spread} (at least {} deg)",
                fmt(rule.min_hue_spread_deg)
            )
        } else {
            format!(
                "colour photo: face chroma {}, hue spread {spread}",
                fmt(c.face_chroma)
            )
        },
        spec_source: None,
    }
}

fn backdrop_not_measured(id: &str, severity: Severity, unit: &str) -> CheckResult {
    CheckResult {
        id: id.into(),
        status: Status::NotMeasured,
        severity,
        value: None,
        unit: unit.into(),
        min: None,
        max: None,
        message: "background not measured (no face, or no backdrop visible)".into(),
        spec_source: None,
    }
}

/// `background_colour`: the mean backdrop colour is within `max_delta_e` (CIE76 Delta E*ab) of
/// one of the allowed colours. The value is the Delta E to the nearest allowed colour.
pub(super) fn background_colour(a: &Analysis, rule: &BackgroundColourRule) -> CheckResult {
    let Some(bg) = &a.background else {
        return backdrop_not_measured("background_colour", rule.severity, "dE");
    };
    let de = |c: &[f64; 3]| {
        (0..3)
            .map(|k| (bg.mean_lab[k] - c[k]).powi(2))
            .sum::<f64>()
            .sqrt()
    };
    let best = rule
        .colours
        .iter()
        .map(|c| (de(&c.lab), c))
        .min_by(|x, y| (x.0 - x.1.max_delta_e).total_cmp(&(y.0 - y.1.max_delta_e)));
    let Some((d, colour)) = best else {
        return backdrop_not_measured("background_colour", rule.severity, "dE");
    };
    let ok = d <= colour.max_delta_e;
    let names: Vec<&str> = rule.colours.iter().map(|c| c.name.as_str()).collect();
    let lab = bg.mean_lab.map(fmt);
    CheckResult {
        id: "background_colour".into(),
        status: outcome(ok, rule.severity),
        severity: rule.severity,
        value: Some(d),
        unit: "dE".into(),
        min: None,
        max: Some(colour.max_delta_e),
        message: if ok {
            format!(
                "background {} (mean L*a*b* {}/{}/{}, Delta E {})",
                colour.name,
                lab[0],
                lab[1],
                lab[2],
                fmt(d)
            )
        } else {
            format!(
                "background colour L*a*b* {}/{}/{} is none of {}: nearest {} at Delta E {} (at most {})",
                lab[0],
                lab[1],
                lab[2],
                names.join(", "),
                colour.name,
                fmt(d),
                fmt(colour.max_delta_e)
            )
        },
        spec_source: None,
    }
}

/// `background_uniform`: share of backdrop pixels farther than `max_delta_e` from the mean
/// backdrop colour (shadows, gradients, objects).
pub(super) fn background_uniform(a: &Analysis, rule: &UniformRule) -> CheckResult {
    let Some(bg) = &a.background else {
        return backdrop_not_measured("background_uniform", rule.severity, "share");
    };
    let share = bg.share_farther_than(rule.max_delta_e);
    let ok = share <= rule.max_share;
    CheckResult {
        id: "background_uniform".into(),
        status: outcome(ok, rule.severity),
        severity: rule.severity,
        value: Some(share),
        unit: "share".into(),
        min: None,
        max: Some(rule.max_share),
        message: format!(
            "{:.1} % of the background differs from its mean colour by more than Delta E {} (at most {:.1} %)",
            share * 100.0,
            fmt(rule.max_delta_e),
            rule.max_share * 100.0
        ),
        spec_source: None,
    }
}
