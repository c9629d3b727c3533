//! Colour rule: the photo is in colour (GA 482-2012 5.2.3: 彩色), not greyscale or toned
//! monochrome (sepia).

use serde::{Deserialize, Serialize};

use super::rule::{Check, CheckName};
use super::{CheckInput, CheckResult, Status, fmt, outcome};
use crate::analysis::Stages;
use crate::spec::{Severity, Spec};

/// `[rules.colour_photo]`: face chroma and hue spread over the person. The reported value is
/// the face chroma (C*ab).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColourPhoto {
    /// Smallest allowed mean chroma C*ab of the face skin.
    pub min_face_chroma: f64,
    /// Smallest allowed spread of hue (circular standard deviation, degrees) over the
    /// chromatic pixels of the person; a toned monochrome photo has almost one hue.
    pub min_hue_spread_deg: f64,
}

impl Check for ColourPhoto {
    const TABLE: &'static str = "colour_photo";
    const IDS: &'static [CheckName] = &[CheckName {
        id: "colour_photo",
        zh: "彩色照片",
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
                min: Some(self.min_face_chroma),
                max: None,
                message: "colour not measured (no face)".into(),
                spec_source: None,
            };
        };
        let grey = c.face_chroma < self.min_face_chroma;
        let toned = c.hue_spread_deg.is_none_or(|s| s < self.min_hue_spread_deg);
        let ok = !grey && !toned;
        let spread = c
            .hue_spread_deg
            .map_or("none".to_string(), |s| format!("{} deg", fmt(s)));
        CheckResult {
            id: Self::TABLE.into(),
            status: outcome(ok, severity),
            severity,
            value: Some(c.face_chroma),
            unit: "C*ab".into(),
            min: Some(self.min_face_chroma),
            max: None,
            message: if grey {
                format!(
                    "not a colour photo: face chroma {} (at least {})",
                    fmt(c.face_chroma),
                    fmt(self.min_face_chroma)
                )
            } else if toned {
                format!(
                    "toned monochrome (e.g. sepia): hue spread {spread} (at least {} deg)",
                    fmt(self.min_hue_spread_deg)
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
        a.colour = None;
        assert_eq!(status_of(&a, &spec, "colour_photo"), Status::NotMeasured);
    }
}
