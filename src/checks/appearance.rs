//! Appearance rules: what a clerk looks at besides the geometry. Bare head (GA 482-2012
//! 5.2.3: 免冠), eyes open, mouth closed and a neutral expression (交管12123 guide; ICAO 9303
//! Part 3 / ISO/IEC 39794-5 portrait practice), no sunglasses or tinted lenses and no glare on
//! glasses, even lighting, exposure and sharpness (ISO/IEC 39794-5 / ICAO 9303 practice).
//! Each reads [`crate::analysis::Appearance`] (measured once per photo); the limits are the
//! spec's. Lightness is CIE L*; lengths are in inter-eye distances (IPD).

use serde::{Deserialize, Serialize};

use super::rule::{Check, CheckName, Problem, Repair, positive, within};
use super::{CheckInput, CheckResult, Status, fmt, range_check};
use crate::analysis::{Appearance, Stages};
use crate::spec::{PhotoSize, Severity, Spec};

/// The words of an appearance result: what was measured, and the message when it passes, when
/// it fails (what to change), and what to check by eye when no face was measured.
struct Wording<'a> {
    what: &'a str,
    pass: &'a str,
    fail: &'a str,
    by_eye: &'a str,
}

/// A result for a value against limits, with the messages of this family: `pass` when within,
/// `fail` (what to change) otherwise, and "check by eye" when no face was measured.
fn appearance_check(
    id: &str,
    severity: Severity,
    value: Option<f64>,
    unit: &str,
    (min, max): (Option<f64>, Option<f64>),
    words: Wording,
) -> CheckResult {
    let Wording {
        what,
        pass,
        fail,
        by_eye,
    } = words;
    let mut r = range_check(id, severity, value, unit, min, max, what);
    r.message = match r.status {
        Status::NotMeasured => {
            format!("{what} not measured (no face found): check by eye {by_eye}")
        }
        Status::Pass => format!("{pass} ({})", r.message),
        _ => format!("{fail} ({})", r.message),
    };
    r
}

fn appearance_of<'a>(input: &'a CheckInput) -> Option<&'a Appearance> {
    input.analysis.appearance.as_ref()
}

/// `[rules.eyes_open]`: both eyes open and visible. Two measures, cheap first: the iris
/// contrast inside each eye's mesh outline ([`Appearance::iris_contrast`], L*): an open eye
/// shows a dark iris between lighter sclera, and an eye at or above
/// [`crate::analysis::appearance::IRIS_MODEL_BELOW`] passes on it. An eye below that is
/// measured by MediaPipe's iris-landmark model ([`Appearance::eyelid_opening`], upper to lower
/// lid over corner to corner), which the rule's limit applies to (the value is the smaller
/// of the eyes so measured): on photocheck's development
/// photos closed eyes read 0.03-0.22, open eyes 0.19 and up (most 0.25-0.45).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EyesOpen {
    /// Smallest allowed eyelid opening of either eye (lid gap / eye width).
    pub min_eyelid_opening: f64,
}

impl Check for EyesOpen {
    const TABLE: &'static str = "eyes_open";
    const IDS: &'static [CheckName] = &[CheckName {
        id: "eyes_open",
        zh: "双眼睁开",
        fix_zh: "请双眼自然睁开，目视镜头，头发不要遮挡眼睛",
        fix_en: "open both eyes naturally and look at the camera; keep hair away from the eyes",
        fix_repairs: Repair::No,
    }];
    const STAGES: Stages = Stages::APPEARANCE;

    fn validate(&self, _photo: &PhotoSize) -> Result<(), Problem> {
        within("min_eyelid_opening", self.min_eyelid_opening, 0.0, 1.0)
    }

    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult> {
        let a = appearance_of(input);
        let fix =
            "an eye looks closed: open both eyes and look into the camera; keep hair off the eyes";
        let measured = a.and_then(|a| a.eyelid_opening.iter().flatten().copied().reduce(f64::min));
        let r = match measured {
            Some(o) => appearance_check(
                Self::IDS[0].id,
                severity,
                Some(o),
                "ratio",
                (Some(self.min_eyelid_opening), None),
                Wording {
                    what: "eyelid opening of the less open eye (lid gap / eye width)",
                    pass: "both eyes open",
                    fail: fix,
                    by_eye: "that both eyes are open and visible",
                },
            ),
            None => appearance_check(
                Self::IDS[0].id,
                severity,
                a.map(|a| a.iris_contrast[0].min(a.iris_contrast[1])),
                "L*",
                (Some(crate::analysis::appearance::IRIS_MODEL_BELOW), None),
                Wording {
                    what: "iris contrast of the less open eye",
                    pass: "both eyes open",
                    fail: fix,
                    by_eye: "that both eyes are open and visible",
                },
            ),
        };
        vec![r]
    }

    fn summary(&self, _spec: &Spec) -> Option<String> {
        Some("both eyes open".into())
    }
}

/// `[rules.mouth_closed]`: lips closed, no teeth. Fails when the inner-lip gap over the mouth
/// width ([`Appearance::mouth_opening`]) or the share of teeth or mouth cavity in the opening
/// ([`Appearance::teeth_share`]) is above its limit; the value reported is the one that fails
/// (else the opening).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MouthClosed {
    /// Largest allowed lip gap / mouth width.
    pub max_opening: f64,
    /// Largest allowed share of teeth or mouth cavity in the lips' opening.
    pub max_teeth_share: f64,
}

impl Check for MouthClosed {
    const TABLE: &'static str = "mouth_closed";
    const IDS: &'static [CheckName] = &[CheckName {
        id: "mouth_closed",
        zh: "嘴巴闭合",
        fix_zh: "请自然闭合嘴巴，不要露齿",
        fix_en: "close the mouth naturally, teeth not showing",
        fix_repairs: Repair::No,
    }];
    const STAGES: Stages = Stages::APPEARANCE;

    fn validate(&self, _photo: &PhotoSize) -> Result<(), Problem> {
        positive("max_opening", self.max_opening)?;
        within("max_teeth_share", self.max_teeth_share, 0.0, 1.0)
    }

    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult> {
        let a = appearance_of(input);
        let teeth = a.is_some_and(|a| {
            a.teeth_share > self.max_teeth_share && a.mouth_opening <= self.max_opening
        });
        let (value, unit, limit, what) = if teeth {
            (
                a.map(|a| a.teeth_share),
                "share",
                self.max_teeth_share,
                "teeth or open mouth: share of the lips' opening",
            )
        } else {
            (
                a.map(|a| a.mouth_opening),
                "ratio",
                self.max_opening,
                "mouth opening: lip gap / mouth width",
            )
        };
        vec![appearance_check(
            Self::IDS[0].id,
            severity,
            value,
            unit,
            (None, Some(limit)),
            Wording {
                what,
                pass: "mouth closed",
                fail: "the mouth is open or teeth show: close the lips (no smile showing teeth)",
                by_eye: "that the lips are closed and no teeth show",
            },
        )]
    }

    fn summary(&self, _spec: &Spec) -> Option<String> {
        Some("mouth closed, no teeth".into())
    }
}

/// `[rules.expression_neutral]`: no smile, no frown. The value is the mouth corners' lift in
/// mouth widths ([`Appearance::corner_lift`]; positive = corners up). A closed-mouth smile
/// lifts the corners and fails; the mouth's width in IPD ([`Appearance::mouth_width`]) catches
/// a broad smile whose corners stay level. Limits are the spec's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpressionNeutral {
    /// Largest allowed corner lift (smile), mouth widths.
    pub max_corner_lift: f64,
    /// Smallest allowed corner lift (frown: corners down), mouth widths (negative).
    pub min_corner_lift: f64,
    /// Largest allowed mouth width, IPD.
    pub max_mouth_width: f64,
    /// Largest allowed lip gap / mouth width (an open-mouthed smile).
    #[serde(default = "default_expression_opening")]
    pub max_mouth_opening: f64,
}

fn default_expression_opening() -> f64 {
    0.12
}

impl Check for ExpressionNeutral {
    const TABLE: &'static str = "expression_neutral";
    const IDS: &'static [CheckName] = &[CheckName {
        id: "expression_neutral",
        zh: "表情自然",
        fix_zh: "请保持自然表情，不要大笑或皱眉",
        fix_en: "keep a neutral expression: no broad smile, no frown",
        fix_repairs: Repair::No,
    }];
    const STAGES: Stages = Stages::APPEARANCE;

    fn validate(&self, _photo: &PhotoSize) -> Result<(), Problem> {
        positive("max_mouth_width", self.max_mouth_width)?;
        positive("max_mouth_opening", self.max_mouth_opening)?;
        if self.min_corner_lift >= self.max_corner_lift {
            return Err(Problem::new(
                "min_corner_lift",
                format!(
                    "min {} is not below max {}",
                    self.min_corner_lift, self.max_corner_lift
                ),
            ));
        }
        Ok(())
    }

    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult> {
        let a = appearance_of(input);
        let corners_level =
            |a: &Appearance| (self.min_corner_lift..=self.max_corner_lift).contains(&a.corner_lift);
        let wide = a.is_some_and(|a| a.mouth_width > self.max_mouth_width && corners_level(a));
        let open = a.is_some_and(|a| {
            a.mouth_opening > self.max_mouth_opening
                && a.mouth_width <= self.max_mouth_width
                && corners_level(a)
        });
        let r = if open {
            appearance_check(
                Self::IDS[0].id,
                severity,
                a.map(|a| a.mouth_opening),
                "ratio",
                (None, Some(self.max_mouth_opening)),
                Wording {
                    what: "mouth opening (lip gap / mouth width)",
                    pass: "neutral expression",
                    fail: "the mouth is open (laughing or talking): close the mouth and keep a neutral face",
                    by_eye: "that the expression is neutral",
                },
            )
        } else if wide {
            appearance_check(
                Self::IDS[0].id,
                severity,
                a.map(|a| a.mouth_width),
                "IPD",
                (None, Some(self.max_mouth_width)),
                Wording {
                    what: "mouth width in inter-eye distances",
                    pass: "neutral expression",
                    fail: "the mouth is stretched wide (a smile): relax the face, mouth closed and neutral",
                    by_eye: "that the expression is neutral",
                },
            )
        } else {
            appearance_check(
                Self::IDS[0].id,
                severity,
                a.map(|a| a.corner_lift),
                "ratio",
                (Some(self.min_corner_lift), Some(self.max_corner_lift)),
                Wording {
                    what: "mouth corners' lift (mouth widths, up positive)",
                    pass: "neutral expression",
                    fail: "smiling or frowning: keep a neutral face, mouth corners level, no smile",
                    by_eye: "that the expression is neutral (no smile, no frown)",
                },
            )
        };
        vec![r]
    }

    fn summary(&self, _spec: &Spec) -> Option<String> {
        Some("neutral expression (no smile)".into())
    }
}

/// `[rules.lenses_clear]`: no sunglasses or tinted lenses. The value is how much darker the
/// skin under the eyes is than the cheeks, L* ([`Appearance::lens_darkening`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LensesClear {
    /// Largest allowed darkening under the eyes against the cheeks, L*.
    pub max_lens_darkening: f64,
}

impl Check for LensesClear {
    const TABLE: &'static str = "lenses_clear";
    const IDS: &'static [CheckName] = &[CheckName {
        id: "lenses_clear",
        zh: "无墨镜",
        fix_zh: "请摘下墨镜或有色眼镜",
        fix_en: "take off sunglasses or tinted glasses",
        fix_repairs: Repair::No,
    }];
    const STAGES: Stages = Stages::APPEARANCE;

    fn validate(&self, _photo: &PhotoSize) -> Result<(), Problem> {
        positive("max_lens_darkening", self.max_lens_darkening)
    }

    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult> {
        vec![appearance_check(
            Self::IDS[0].id,
            severity,
            appearance_of(input).map(|a| a.lens_darkening),
            "L*",
            (None, Some(self.max_lens_darkening)),
            Wording {
                what: "darkening around the eyes against the cheeks",
                pass: "no sunglasses or tinted lenses",
                fail: "the eyes are behind dark or tinted lenses: take off sunglasses or tinted glasses",
                by_eye: "that no sunglasses or tinted lenses are worn",
            },
        )]
    }

    fn summary(&self, _spec: &Spec) -> Option<String> {
        Some("no sunglasses or tinted lenses".into())
    }
}

/// `[rules.no_glare]`: no reflections on glasses over the eyes. The value is the near-white
/// share of the area around the eyes ([`Appearance::glare_share`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoGlare {
    /// Largest allowed near-white share around the eyes.
    pub max_glare_share: f64,
}

impl Check for NoGlare {
    const TABLE: &'static str = "no_glare";
    const IDS: &'static [CheckName] = &[CheckName {
        id: "no_glare",
        zh: "镜片无反光",
        fix_zh: "镜片反光遮挡眼睛：请调整灯光角度或摘下眼镜",
        fix_en: "reflections on the glasses hide the eyes: move the light, tilt the glasses down a little, or take them off",
        fix_repairs: Repair::No,
    }];
    const STAGES: Stages = Stages::APPEARANCE;

    fn validate(&self, _photo: &PhotoSize) -> Result<(), Problem> {
        within("max_glare_share", self.max_glare_share, 0.0, 1.0)
    }

    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult> {
        vec![appearance_check(
            Self::IDS[0].id,
            severity,
            appearance_of(input).map(|a| a.glare_share),
            "share",
            (None, Some(self.max_glare_share)),
            Wording {
                what: "reflections around the eyes",
                pass: "no glare over the eyes",
                fail: "light reflects over the eyes (glare on glasses): tilt the glasses slightly, move the light to the side, or take the glasses off",
                by_eye: "that no reflection on glasses hides the eyes",
            },
        )]
    }

    fn summary(&self, _spec: &Spec) -> Option<String> {
        Some("no glare on glasses".into())
    }
}

/// `[rules.even_lighting]`: no strong shadow across the face. The value is the difference of
/// the cheeks' lightness left and right, L* ([`Appearance::side_lightness`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvenLighting {
    /// Largest allowed |left - right| cheek lightness, L*.
    pub max_side_difference: f64,
}

impl Check for EvenLighting {
    const TABLE: &'static str = "even_lighting";
    const IDS: &'static [CheckName] = &[CheckName {
        id: "even_lighting",
        zh: "光线均匀",
        fix_zh: "面部光线不均：请从正面均匀照明，避免侧光阴影",
        fix_en: "light the face evenly from the front, with no shadow on one side",
        fix_repairs: Repair::No,
    }];
    const STAGES: Stages = Stages::APPEARANCE;

    fn validate(&self, _photo: &PhotoSize) -> Result<(), Problem> {
        positive("max_side_difference", self.max_side_difference)
    }

    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult> {
        let a = appearance_of(input);
        let mut r = appearance_check(
            Self::IDS[0].id,
            severity,
            a.map(|a| (a.side_lightness[0] - a.side_lightness[1]).abs()),
            "L*",
            (None, Some(self.max_side_difference)),
            Wording {
                what: "lightness difference between the cheeks",
                pass: "evenly lit face",
                fail: "one side of the face is in shadow: light the face evenly from the front (two lights or a reflector), away from a window",
                by_eye: "that the face is evenly lit, with no strong shadow",
            },
        );
        if let (Some(a), Status::Fail | Status::Warn) = (a, r.status) {
            let darker = if a.side_lightness[0] < a.side_lightness[1] {
                "image-left"
            } else {
                "image-right"
            };
            r.message = format!("{}; the {darker} side is darker", r.message);
        }
        vec![r]
    }

    fn summary(&self, _spec: &Spec) -> Option<String> {
        Some("even lighting".into())
    }
}

/// `[rules.exposure]`: the face neither too dark nor blown out. The value is the cheeks'
/// median lightness, L* ([`Appearance::skin_lightness`]); the blown-out share of the face
/// ([`Appearance::highlight_share`]) has its own limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exposure {
    /// Smallest allowed face lightness, L*.
    pub min_face_lightness: f64,
    /// Largest allowed face lightness, L*.
    pub max_face_lightness: f64,
    /// Largest allowed share of the face at L* >= 97 (blown out).
    pub max_highlight_share: f64,
    /// Smallest allowed 99th-percentile L* of the face (its highlights): under it the photo
    /// is under-exposed whatever the skin tone ([`Appearance::face_highlight_lightness`]).
    #[serde(default)]
    pub min_highlight_lightness: f64,
}

impl Check for Exposure {
    const TABLE: &'static str = "exposure";
    const IDS: &'static [CheckName] = &[CheckName {
        id: "exposure",
        zh: "曝光正常",
        fix_zh: "请调整光线，使面部既不过暗也不过亮",
        fix_en: "change the light so that the face is neither too dark nor too bright",
        fix_repairs: Repair::No,
    }];
    const STAGES: Stages = Stages::APPEARANCE;

    fn validate(&self, _photo: &PhotoSize) -> Result<(), Problem> {
        within("min_face_lightness", self.min_face_lightness, 0.0, 100.0)?;
        within("max_face_lightness", self.max_face_lightness, 0.0, 100.0)?;
        within("max_highlight_share", self.max_highlight_share, 0.0, 1.0)?;
        within(
            "min_highlight_lightness",
            self.min_highlight_lightness,
            0.0,
            100.0,
        )?;
        if self.min_face_lightness >= self.max_face_lightness {
            return Err(Problem::new(
                "min_face_lightness",
                "must be below max_face_lightness",
            ));
        }
        Ok(())
    }

    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult> {
        let a = appearance_of(input);
        if let Some(a) = a.filter(|a| a.highlight_share > self.max_highlight_share) {
            return vec![appearance_check(
                Self::IDS[0].id,
                severity,
                Some(a.highlight_share),
                "share",
                (None, Some(self.max_highlight_share)),
                Wording {
                    what: "blown-out share of the face",
                    pass: "",
                    fail: "parts of the face are blown out to white: less light or a shorter exposure",
                    by_eye: "",
                },
            )];
        }
        if let Some(a) = a.filter(|a| a.face_highlight_lightness < self.min_highlight_lightness) {
            return vec![appearance_check(
                Self::IDS[0].id,
                severity,
                Some(a.face_highlight_lightness),
                "L*",
                (Some(self.min_highlight_lightness), None),
                Wording {
                    what: "lightest parts of the face (99th percentile)",
                    pass: "",
                    fail: "the photo is under-exposed (even the face's highlights are dark): more light on the face or a longer exposure",
                    by_eye: "",
                },
            )];
        }
        let fix = if a.is_some_and(|a| a.skin_lightness < self.min_face_lightness) {
            "the face is too dark: more light on the face or a longer exposure"
        } else {
            "the face is too bright: less light or a shorter exposure"
        };
        vec![appearance_check(
            Self::IDS[0].id,
            severity,
            a.map(|a| a.skin_lightness),
            "L*",
            (Some(self.min_face_lightness), Some(self.max_face_lightness)),
            Wording {
                what: "face lightness",
                pass: "face well exposed",
                fail: fix,
                by_eye: "that the face is neither too dark nor too bright",
            },
        )]
    }

    fn summary(&self, _spec: &Spec) -> Option<String> {
        Some(format!(
            "face exposure L* {}-{}",
            fmt(self.min_face_lightness),
            fmt(self.max_face_lightness)
        ))
    }
}

/// `[rules.sharpness]`: the face in focus. The value is the face's blur effect (0 sharp .. 1
/// blurred, [`Appearance::blur`]), measured at no more than 40 px per IPD, so a small sharp
/// photo is not called blurred.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sharpness {
    /// Largest allowed blur effect (0..1).
    pub max_blur: f64,
}

impl Check for Sharpness {
    const TABLE: &'static str = "sharpness";
    const IDS: &'static [CheckName] = &[CheckName {
        id: "sharpness",
        zh: "清晰对焦",
        fix_zh: "照片模糊：请对焦面部并保持相机稳定",
        fix_en: "the photo is blurred: focus on the face and hold the camera still",
        fix_repairs: Repair::No,
    }];
    const STAGES: Stages = Stages::APPEARANCE;

    fn validate(&self, _photo: &PhotoSize) -> Result<(), Problem> {
        within("max_blur", self.max_blur, 0.0, 1.0)
    }

    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult> {
        vec![appearance_check(
            Self::IDS[0].id,
            severity,
            appearance_of(input).map(|a| a.blur),
            "ratio",
            (None, Some(self.max_blur)),
            Wording {
                what: "face blur (0 sharp, 1 blurred)",
                pass: "face in focus",
                fail: "the face is blurred: focus on the eyes, hold the camera still (or use a tripod) and use more light",
                by_eye: "that the face is sharp",
            },
        )]
    }

    fn summary(&self, _spec: &Spec) -> Option<String> {
        Some("face in focus".into())
    }
}

/// `[rules.bare_head]` (免冠, GA 482-2012 5.2.3): no hat, cap, beanie, scarf or hood. No model
/// that may be shipped segments head coverings, so the rule passes only what it can tell is
/// bare: the top of the head (between the crown and the forehead) has the colour of the hair
/// beside the temples (and is not brightly coloured), or of the face's skin (a bald or shaved
/// head). Anything else is `not_measured` with "check by eye": a covering could not be ruled
/// out. The rule never guesses a pass. Religious coverings are a matter for the operator: with
/// `severity = "warn"` the photo is flagged for review instead of failed. The value is the
/// colour difference (CIE76 ΔE) of the head top from the side hair (or from the skin when
/// that is the closer match).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BareHead {
    /// Largest ΔE between the head top and the hair beside the temples for hair on top.
    pub max_top_vs_side_hair: f64,
    /// Largest chroma C*ab of the head top for hair (hats come in colours hair does not).
    pub max_top_chroma: f64,
    /// Largest ΔE between the head top and the cheeks' skin for a bald or shaved head.
    pub max_top_vs_skin: f64,
    /// Tallest head top (crown to the mesh's forehead point) that passes, inter-eye distances
    /// ([`Appearance::head_top_height`]): a headdress or tall hat rises above any hair style
    /// seen (the photo suite's heads: at most 1.64).
    #[serde(default = "default_max_top_height")]
    pub max_top_height: f64,
    /// Chroma C*ab of the head top above which it is a covering (fail, not "check by eye")
    /// when it also differs from the side hair: brighter than natural hair, whose top reads
    /// up to about 38 on photocheck's development photos (red and blond hair in warm light).
    #[serde(default = "default_min_covering_chroma")]
    pub min_covering_chroma: f64,
}

fn default_min_covering_chroma() -> f64 {
    45.0
}

fn default_max_top_height() -> f64 {
    2.2
}

impl Check for BareHead {
    const TABLE: &'static str = "bare_head";
    const IDS: &'static [CheckName] = &[CheckName {
        id: "bare_head",
        zh: "免冠",
        fix_zh: "请摘下帽子、头巾等遮挡头部的饰物（宗教头饰由工作人员审核）",
        fix_en: "take off the hat or head covering (a religious head covering is judged by the clerk)",
        fix_repairs: Repair::No,
    }];
    const STAGES: Stages = Stages::APPEARANCE;

    fn validate(&self, _photo: &PhotoSize) -> Result<(), Problem> {
        positive("max_top_vs_side_hair", self.max_top_vs_side_hair)?;
        positive("max_top_chroma", self.max_top_chroma)?;
        positive("max_top_vs_skin", self.max_top_vs_skin)?;
        positive("max_top_height", self.max_top_height)?;
        positive("min_covering_chroma", self.min_covering_chroma)
    }

    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult> {
        let id = Self::IDS[0].id;
        let by_eye = "check by eye that nothing covers the head (hat, cap, scarf, hood); religious coverings are for the operator to accept";
        let mut r = CheckResult {
            id: id.into(),
            status: Status::NotMeasured,
            severity,
            value: None,
            unit: "ΔE".into(),
            min: None,
            max: Some(self.max_top_vs_side_hair),
            message: String::new(),
            spec_source: None,
            advice: None,
        };
        let Some(a) = appearance_of(input) else {
            r.message = format!("head covering not measured (no face found): {by_eye}");
            return vec![r];
        };
        let Some(chroma) = a.head_top_chroma else {
            r.message = format!(
                "head covering not measured: the top of the head is not in the photo: {by_eye}"
            );
            return vec![r];
        };
        if a.head_top_height > self.max_top_height {
            r.value = Some(a.head_top_height);
            r.unit = "IPD".into();
            r.max = Some(self.max_top_height);
            r.message = format!(
                "a head covering could not be ruled out: something tall rises {} inter-eye distances above the forehead (at most {} for hair): {by_eye}",
                fmt(a.head_top_height),
                fmt(self.max_top_height)
            );
            return vec![r];
        }
        if let Some(skin) = a.head_top_vs_skin.filter(|d| *d <= self.max_top_vs_skin) {
            r.status = Status::Pass;
            r.value = Some(skin);
            r.max = Some(self.max_top_vs_skin);
            r.message = format!(
                "bare head: the top of the head has the colour of the skin (ΔE {}, at most {})",
                fmt(skin),
                fmt(self.max_top_vs_skin)
            );
            return vec![r];
        }
        r.value = a.head_top_vs_side_hair;
        match a.head_top_vs_side_hair {
            Some(d) if d <= self.max_top_vs_side_hair && chroma <= self.max_top_chroma => {
                r.status = Status::Pass;
                r.message = format!(
                    "bare head: the top of the head has the colour of the hair at the sides (ΔE {}, at most {})",
                    fmt(d),
                    fmt(self.max_top_vs_side_hair)
                );
            }
            Some(d) if chroma > self.min_covering_chroma && d > self.max_top_vs_side_hair => {
                // Coloured unlike any hair and unlike the hair beside it: a covering.
                r.status = Status::Fail;
                r.message = format!(
                    "a head covering: the top of the head is coloured (chroma {} C*ab, hair below {}) and differs from the hair at the sides (ΔE {}): take off the hat, cap or scarf (religious coverings are for the operator to accept)",
                    fmt(chroma),
                    fmt(self.min_covering_chroma),
                    fmt(d)
                );
            }
            Some(d) => {
                r.message = format!(
                    "a head covering could not be ruled out: the top of the head differs from the hair at the sides (ΔE {}, chroma {} C*ab): {by_eye}",
                    fmt(d),
                    fmt(chroma)
                );
            }
            None => {
                r.message = format!(
                    "a head covering could not be ruled out (no hair seen beside the temples to compare the top of the head with): {by_eye}"
                );
            }
        }
        vec![r]
    }

    fn summary(&self, _spec: &Spec) -> Option<String> {
        Some("bare head (no hat, cap, scarf or hood)".into())
    }
}
