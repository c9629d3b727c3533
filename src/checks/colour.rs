//! Colour rule: the photo is in colour (GA 482-2012 5.2.3: 彩色), not greyscale or toned
//! monochrome (sepia).

use serde::{Deserialize, Serialize};

use super::rule::{Check, CheckName, Repair};
use super::{CheckInput, CheckResult, Status, fmt, outcome};
use crate::analysis::Stages;
use crate::spec::{Severity, Spec};

/// `[rules.colour_photo]`: colour versus greyscale or toned monochrome, judged over the whole
/// photo (face, hair, clothes, backdrop), so that warm or tanned skin and a blown-out face
/// still count as colour. Greyscale: the photo's 95th-percentile chroma is under
/// `min_chroma`. Toned (sepia): the hue spread over the photo's chromatic pixels is under
/// `min_hue_spread_deg` and the lips' hue differs from the cheeks' by less than
/// `min_lip_hue_difference_deg`. The reported value is the 95th-percentile chroma (C*ab).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColourPhoto {
    /// Smallest allowed 95th-percentile chroma C*ab over the photo (`min_face_chroma` in
    /// older spec files).
    #[serde(alias = "min_face_chroma")]
    pub min_chroma: f64,
    /// Hue spread (circular standard deviation, degrees) over the photo's chromatic pixels
    /// at or above which the photo is colour.
    pub min_hue_spread_deg: f64,
    /// Lips-against-cheeks hue difference, degrees, at or above which a photo of narrow hue
    /// spread (warm skin, warm clothes) is still colour.
    #[serde(default = "default_lip_hue_difference")]
    pub min_lip_hue_difference_deg: f64,
}

fn default_lip_hue_difference() -> f64 {
    6.0
}

impl Check for ColourPhoto {
    const TABLE: &'static str = "colour_photo";
    const IDS: &'static [CheckName] = &[CheckName {
        id: "colour_photo",
        zh: "彩色照片",
        fix_zh: "请提交彩色照片（非黑白、非棕褐色调）",
        fix_en: "submit a colour photo (not black and white, not sepia)",
        fix_repairs: Repair::No,
    }];
    const STAGES: Stages = Stages::COLOUR;

    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult> {
        vec![self.colour(severity, input)]
    }

    fn summary(&self, _spec: &Spec) -> Option<String> {
        Some("colour photo".into())
    }
}

impl ColourPhoto {
    fn colour(&self, severity: Severity, input: &CheckInput) -> CheckResult {
        let Some(c) = &input.analysis.colour else {
            return CheckResult {
                id: Self::TABLE.into(),
                status: Status::NotMeasured,
                severity,
                value: None,
                unit: "C*ab".into(),
                min: Some(self.min_chroma),
                max: None,
                message: "colour not measured (no face)".into(),
                spec_source: None,
                advice: None,
            };
        };
        let grey = c.photo_chroma_p95 < self.min_chroma;
        let lips = c
            .lip_hue_difference_deg
            .is_some_and(|d| d >= self.min_lip_hue_difference_deg);
        let toned = c.hue_spread_deg.is_none_or(|s| s < self.min_hue_spread_deg) && !lips;
        let ok = !grey && !toned;
        let spread = c
            .hue_spread_deg
            .map_or("none".to_string(), |s| format!("{} deg", fmt(s)));
        let lip = c
            .lip_hue_difference_deg
            .map_or("none".to_string(), |s| format!("{} deg", fmt(s)));
        // The value, unit and limit are those of the part that decides: the hue spread for a
        // toned photo, else the chroma.
        let (value, unit, min) = match (toned && !grey, c.hue_spread_deg) {
            (true, Some(spread)) => (spread, "deg", self.min_hue_spread_deg),
            _ => (c.photo_chroma_p95, "C*ab", self.min_chroma),
        };
        CheckResult {
            id: Self::TABLE.into(),
            status: outcome(ok, severity),
            severity,
            value: Some(value),
            unit: unit.into(),
            min: Some(min),
            max: None,
            message: if grey {
                format!(
                    "not a colour photo (greyscale): chroma {} C*ab at most (at least {}): submit the colour original",
                    fmt(c.photo_chroma_p95),
                    fmt(self.min_chroma)
                )
            } else if toned {
                format!(
                    "toned monochrome (e.g. sepia): one hue over the photo, spread {spread} (at least {} deg), lips against cheeks {lip} (at least {} deg): submit the colour original without a tint filter",
                    fmt(self.min_hue_spread_deg),
                    fmt(self.min_lip_hue_difference_deg)
                )
            } else {
                format!(
                    "colour photo: chroma {} C*ab, hue spread {spread}, lips against cheeks {lip}",
                    fmt(c.photo_chroma_p95)
                )
            },
            spec_source: None,
            advice: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{analysis, status_of};
    use crate::analysis::ColourStats;
    use crate::checks::Status;
    use crate::spec::Spec;

    #[test]
    fn colour_limits() {
        let spec = Spec::preset("cn-driving-licence").unwrap();
        let mut a = analysis(15.0, 255.0, 130.0, [40.0, 220.0]);
        assert_eq!(status_of(&a, &spec, "colour_photo"), Status::Pass);
        let stats = |p95, spread, lips| ColourStats {
            face_chroma: 2.0,
            hue_spread_deg: spread,
            photo_chroma_p95: p95,
            lip_hue_difference_deg: lips,
        };
        // Greyscale: no chroma anywhere.
        a.colour = Some(stats(2.0, None, None));
        assert_eq!(status_of(&a, &spec, "colour_photo"), Status::Fail);
        // Sepia: chroma, one hue, lips the cheeks' hue.
        a.colour = Some(stats(14.0, Some(3.0), Some(1.0)));
        assert_eq!(status_of(&a, &spec, "colour_photo"), Status::Fail);
        // Warm skin on warm clothes: narrow hue spread, but redder lips.
        a.colour = Some(stats(20.0, Some(9.0), Some(15.0)));
        assert_eq!(status_of(&a, &spec, "colour_photo"), Status::Pass);
        // A blown-out face (no chroma on the cheeks) in a colour photo.
        a.colour = Some(stats(18.0, Some(30.0), None));
        assert_eq!(status_of(&a, &spec, "colour_photo"), Status::Pass);
        a.colour = None;
        assert_eq!(status_of(&a, &spec, "colour_photo"), Status::NotMeasured);
    }
}
