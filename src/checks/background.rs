//! Background rules: white (GA 482-2012 5.2.3: 白色背景), an allowed colour, even. The
//! backdrop is the pixels outside the dilated person mask, in CIE L*a*b* (D65).

use serde::{Deserialize, Serialize};

use super::rule::{Check, CheckName, Problem, Repair, positive, range};
use super::{CheckInput, CheckResult, Status, fmt, outcome};
use crate::analysis::Stages;
use crate::spec::{PhotoSize, Severity, Spec};

/// `[rules.background_white]`: mean L*, mean chroma and share of dark pixels of the
/// backdrop. The reported value is the mean L*; the message names every failed part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackgroundWhite {
    /// Smallest allowed mean L* of the background.
    pub min_mean_lightness: f64,
    /// Largest allowed mean chroma C*ab of the background.
    pub max_mean_chroma: f64,
    /// A background pixel darker than this L* counts as dark (shadow, object, border).
    pub dark_lightness: f64,
    /// Largest allowed share of dark background pixels (0.02 = 2 %).
    pub max_dark_share: f64,
    /// Whether a transparent backdrop (an image with alpha) is accepted, judged as flattened
    /// onto white paper. `false` (the default): more than 1 % transparent pixels fails, since
    /// an upload form or printer may show the transparency black or checkered.
    #[serde(default)]
    pub allow_transparent: bool,
    /// Largest allowed share of an edge strip's backdrop that differs from the backdrop
    /// (a band or coloured fringe along an edge; see
    /// [`crate::analysis::BackgroundStats::edge_band_share`]).
    #[serde(default = "default_edge_band_share")]
    pub max_edge_band_share: f64,
}

fn default_edge_band_share() -> f64 {
    0.5
}

/// Share of transparent pixels above which a photo has a transparent backdrop.
pub const TRANSPARENT_SHARE: f64 = 0.01;

impl Check for BackgroundWhite {
    const TABLE: &'static str = "background_white";
    const IDS: &'static [CheckName] = &[CheckName {
        id: "background_white",
        zh: "白色背景",
        fix_zh: "请在纯白背景前拍摄，去除阴影、边框和透明背景",
        fix_en: "stand in front of a plain white wall, with no shadow, border or transparent background",
        fix_repairs: Repair::WhiteBackdrop,
    }];
    const STAGES: Stages = Stages::BACKGROUND;

    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult> {
        vec![self.white(severity, input)]
    }

    fn summary(&self, _spec: &Spec) -> Option<String> {
        Some("white background".into())
    }
}

impl BackgroundWhite {
    fn white(&self, severity: Severity, input: &CheckInput) -> CheckResult {
        if let Some(t) = input
            .analysis
            .facts
            .transparent_share
            .filter(|t| *t > TRANSPARENT_SHARE && !self.allow_transparent)
        {
            return CheckResult {
                id: Self::TABLE.into(),
                status: super::outcome(false, severity),
                severity,
                value: Some(t),
                unit: "share".into(),
                min: None,
                max: Some(TRANSPARENT_SHARE),
                message: format!(
                    "the background is transparent ({} % of the pixels): put the photo on a white background and save it without transparency (e.g. as JPEG)",
                    fmt(100.0 * t)
                ),
                spec_source: None,
                advice: None,
            };
        }
        let Some(bg) = &input.analysis.background else {
            return CheckResult {
                id: Self::TABLE.into(),
                status: Status::NotMeasured,
                severity,
                value: None,
                unit: "L*".into(),
                min: Some(self.min_mean_lightness),
                max: None,
                message: "background not measured (no face, or no backdrop visible)".into(),
                spec_source: None,
                advice: None,
            };
        };
        let dark = bg.share_darker_than(self.dark_lightness);
        let mut problems = Vec::new();
        if bg.mean_lightness < self.min_mean_lightness {
            problems.push(format!(
                "too dark: mean L* {} (at least {})",
                fmt(bg.mean_lightness),
                fmt(self.min_mean_lightness)
            ));
        }
        if bg.mean_chroma > self.max_mean_chroma {
            problems.push(format!(
                "tinted: mean chroma {} (at most {})",
                fmt(bg.mean_chroma),
                fmt(self.max_mean_chroma)
            ));
        }
        if dark > self.max_dark_share {
            problems.push(format!(
                "{:.1} % of it darker than L* {} (at most {:.1} %)",
                dark * 100.0,
                fmt(self.dark_lightness),
                self.max_dark_share * 100.0
            ));
        }
        let band = bg.edge_band_share > self.max_edge_band_share;
        if band {
            problems.push(format!(
                "a band or coloured border along an edge ({:.0} % of the edge strip differs from the backdrop, at most {:.0} %): crop it off or retake on a plain backdrop",
                bg.edge_band_share * 100.0,
                self.max_edge_band_share * 100.0
            ));
        }
        let ok = problems.is_empty();
        // The value, unit and limit are those of the part that failed (the mean L* when it
        // is too dark or nothing failed; else the chroma; else the dark share), so that a
        // client comparing the value with its limit sees why the rule failed.
        let (value, unit, min, max) = if bg.mean_lightness < self.min_mean_lightness || ok {
            (bg.mean_lightness, "L*", Some(self.min_mean_lightness), None)
        } else if bg.mean_chroma > self.max_mean_chroma {
            (bg.mean_chroma, "C*ab", None, Some(self.max_mean_chroma))
        } else if band && dark <= self.max_dark_share {
            (
                bg.edge_band_share,
                "share",
                None,
                Some(self.max_edge_band_share),
            )
        } else {
            (dark, "share", None, Some(self.max_dark_share))
        };
        CheckResult {
            id: Self::TABLE.into(),
            status: outcome(ok, severity),
            severity,
            value: Some(value),
            unit: unit.into(),
            min,
            max,
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
            advice: None,
        }
    }
}

/// One allowed backdrop colour: a reference in CIE L*a*b* (D65) and the largest allowed
/// CIE76 colour difference (Delta E*ab) of the backdrop's mean colour from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowedColour {
    /// Human name, e.g. `light grey`.
    pub name: String,
    /// Reference colour `[L*, a*, b*]`.
    pub lab: [f64; 3],
    /// Largest allowed Delta E*ab of the mean backdrop colour from `lab`.
    pub max_delta_e: f64,
}

/// `[rules.background_colour]`: the backdrop's mean colour is within `max_delta_e` (CIE76
/// Delta E*ab) of one of the allowed colours. The value is the Delta E to the nearest allowed
/// colour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackgroundColour {
    /// Allowed colours.
    pub colours: Vec<AllowedColour>,
}

impl Check for BackgroundColour {
    const TABLE: &'static str = "background_colour";
    const IDS: &'static [CheckName] = &[CheckName {
        id: "background_colour",
        zh: "背景颜色",
        fix_zh: "请使用规定颜色的背景",
        fix_en: "use a backdrop of the colour the spec asks for",
        fix_repairs: Repair::No,
    }];
    const STAGES: Stages = Stages::BACKGROUND;

    fn validate(&self, _photo: &PhotoSize) -> Result<(), Problem> {
        if self.colours.is_empty() {
            return Err(Problem::new("colours", "needs at least one colour"));
        }
        for col in &self.colours {
            positive("colours", col.max_delta_e)?;
        }
        Ok(())
    }

    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult> {
        vec![self.colour(severity, input)]
    }

    fn summary(&self, _spec: &Spec) -> Option<String> {
        let names: Vec<&str> = self.colours.iter().map(|c| c.name.as_str()).collect();
        Some(format!("background {}", names.join(" or ")))
    }
}

impl BackgroundColour {
    fn colour(&self, severity: Severity, input: &CheckInput) -> CheckResult {
        let Some(bg) = &input.analysis.background else {
            return backdrop_not_measured(Self::TABLE, severity, "dE");
        };
        let de = |c: &[f64; 3]| {
            (0..3)
                .map(|k| (bg.mean_lab[k] - c[k]).powi(2))
                .sum::<f64>()
                .sqrt()
        };
        let best = self
            .colours
            .iter()
            .map(|c| (de(&c.lab), c))
            .min_by(|x, y| (x.0 - x.1.max_delta_e).total_cmp(&(y.0 - y.1.max_delta_e)));
        let Some((d, colour)) = best else {
            return backdrop_not_measured(Self::TABLE, severity, "dE");
        };
        let ok = d <= colour.max_delta_e;
        let names: Vec<&str> = self.colours.iter().map(|c| c.name.as_str()).collect();
        let lab = bg.mean_lab.map(fmt);
        CheckResult {
            id: Self::TABLE.into(),
            status: outcome(ok, severity),
            severity,
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
            advice: None,
        }
    }
}

/// `[rules.background_uniform]`: the backdrop is even: at most `max_share` of its pixels
/// differ from its mean colour by more than `max_delta_e` (Delta E*ab), after thin strands
/// of hair are removed (see [`crate::analysis::background`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackgroundUniform {
    /// A pixel farther than this from the mean backdrop colour is uneven (Delta E*ab).
    pub max_delta_e: f64,
    /// Largest allowed share of uneven pixels (0..1).
    pub max_share: f64,
}

impl Check for BackgroundUniform {
    const TABLE: &'static str = "background_uniform";
    const IDS: &'static [CheckName] = &[CheckName {
        id: "background_uniform",
        zh: "背景均匀",
        fix_zh: "请使用均匀、无图案、无阴影的背景",
        fix_en: "use a plain, evenly lit backdrop with no pattern and no shadow",
        fix_repairs: Repair::No,
    }];
    const STAGES: Stages = Stages::BACKGROUND;

    fn validate(&self, _photo: &PhotoSize) -> Result<(), Problem> {
        positive("max_delta_e", self.max_delta_e)?;
        range("max_share", Some(self.max_share), "max_share", Some(1.0))
    }

    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult> {
        vec![self.uniform(severity, input)]
    }
}

impl BackgroundUniform {
    fn uniform(&self, severity: Severity, input: &CheckInput) -> CheckResult {
        let Some(bg) = &input.analysis.background else {
            return backdrop_not_measured(Self::TABLE, severity, "share");
        };
        let share = bg.share_farther_than(self.max_delta_e);
        let ok = share <= self.max_share;
        CheckResult {
            id: Self::TABLE.into(),
            status: outcome(ok, severity),
            severity,
            value: Some(share),
            unit: "share".into(),
            min: None,
            max: Some(self.max_share),
            message: format!(
                "{:.1} % of the background differs from its mean colour by more than Delta E {} (at most {:.1} %)",
                share * 100.0,
                fmt(self.max_delta_e),
                self.max_share * 100.0
            ),
            spec_source: None,
            advice: None,
        }
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
        advice: None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{analysis, status_of};
    use crate::checks::Status;
    use crate::spec::Spec;

    #[test]
    fn background_white_limits() {
        let spec = Spec::preset("cn-driving-licence").unwrap();
        let mut a = analysis(15.0, 255.0, 130.0, [40.0, 220.0]);
        assert_eq!(status_of(&a, &spec, "background_white"), Status::Pass);
        a.background.as_mut().unwrap().mean_lightness = 91.9;
        assert_eq!(status_of(&a, &spec, "background_white"), Status::Fail);
        a.background.as_mut().unwrap().mean_lightness = 95.0;
        a.background.as_mut().unwrap().lightness_histogram[80] = 25; // 2.5 % dark
        assert_eq!(status_of(&a, &spec, "background_white"), Status::Fail);
        // The value and limit say what failed: the dark share, not the (passing) mean L*.
        let r = super::super::testing::results(&a, &spec);
        let c = r.iter().find(|c| c.id == "background_white").unwrap();
        assert_eq!((c.unit.as_str(), c.max), ("share", Some(0.02)));
        assert!((c.value.unwrap() - 0.025).abs() < 1e-9, "{:?}", c.value);
        a.background = None;
        assert_eq!(
            status_of(&a, &spec, "background_white"),
            Status::NotMeasured
        );
    }
}
