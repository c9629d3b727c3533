//! Head rules: one face, head length, head width, space above the head and below the chin,
//! eye line, centring. Sources per preset in `src/spec/presets/*.toml` (GA 482-2012 5.2.3,
//! ICAO 9303 part 3, ISO/IEC 39794-5 practice).

use serde::{Deserialize, Serialize};

use super::advice::{band_middle, mm_words, percent_change};
use super::rule::{Advice, Check, CheckName, Problem, Repair, inside, range};
use super::{CheckInput, CheckResult, fmt, mm_check, outcome, range_check};
use crate::analysis::Stages;
use crate::spec::{PhotoSize, Severity, Spec};

/// Which top of the head the head length is measured from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrownBasis {
    /// Top of the hair silhouette (GA 482 / GA 461: 头顶发际).
    #[default]
    Hair,
    /// Top of the skull, hair ignored (ICAO 9303 / ISO/IEC 19794-5 "crown"). Estimated.
    Skull,
}

/// Where the head width is measured (see DESIGN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WidthBasis {
    /// Outer edge of one ear to the other (ISO/IEC 19794-5 head width).
    #[default]
    Ears,
    /// Face width where the ears join the head, ears excluded (GA 461 face width).
    EarRoots,
    /// Head outline including hair, at eyebrow level.
    Silhouette,
}

/// Edge of the photo the eye line is measured from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EyeLineFrom {
    /// From the bottom edge up (US, GA 461).
    #[default]
    Bottom,
    /// From the top edge down.
    Top,
}

/// `[rules.single_face]`: exactly one face (see [`crate::analysis::detect::MIN_FACE_SCORE`]).
/// No parameters.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SingleFace {}

impl Check for SingleFace {
    const TABLE: &'static str = "single_face";
    const IDS: &'static [CheckName] = &[CheckName {
        id: "single_face",
        zh: "单人",
        fix_zh: "照片中只能有本人一人；照片倒置或横置时请先旋转",
        fix_en: "use a photo of you alone, facing the camera with the whole face visible; turn an upside-down or sideways photo upright first",
        fix_repairs: Repair::No,
    }];
    const STAGES: Stages = Stages::DETECT;

    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult> {
        let n = input.analysis.faces.len();
        vec![CheckResult {
            id: Self::TABLE.into(),
            status: outcome(n == 1, severity),
            severity,
            value: Some(n as f64),
            unit: "count".into(),
            min: Some(1.0),
            max: Some(1.0),
            message: match (n, input.analysis.upright_turn_deg) {
                (0, Some(180)) => "no upright face: the photo is upside down; rotate it 180 degrees (required exactly 1 face)".into(),
                (0, Some(turn)) => format!("no upright face: the photo is on its side; rotate it {turn} degrees clockwise (required exactly 1 face)"),
                (0, None) => "no face found (required exactly 1): the face must be frontal, uncovered and well lit".into(),
                (1, _) => "1 face".into(),
                (n, _) => format!("{n} faces found (required exactly 1): only the applicant may be in the photo"),
            },
            spec_source: None,
            advice: None,
        }]
    }

    /// No face: rotate a turned photo, else a frontal photo of one person; several faces:
    /// only the applicant.
    fn advice(&self, r: &CheckResult, input: &CheckInput) -> Option<Advice> {
        let name = &Self::IDS[0];
        let n = r.value.unwrap_or(0.0) as usize;
        let (en, zh) = match (n, input.analysis.upright_turn_deg) {
            (0, Some(180)) => (
                "the photo is upside down: turn it 180 degrees, then check it again".to_string(),
                "照片上下颠倒：请旋转 180 度后重新检查".to_string(),
            ),
            (0, Some(turn)) => (
                format!("the photo is on its side: rotate it {turn} degrees clockwise, then check it again"),
                format!("照片横置：请顺时针旋转 {turn} 度后重新检查"),
            ),
            (0, None) => (
                "no face was found: use a photo of you facing the camera, the whole face uncovered and well lit".to_string(),
                "未找到人脸：请使用本人正面、面部无遮挡、光线充足的照片".to_string(),
            ),
            _ => (
                "only you may be in the photo: crop the other people out, or take the photo again alone".to_string(),
                "照片中只能有本人一人：请裁掉其他人或单独重新拍摄".to_string(),
            ),
        };
        Some(Advice::new(name, en, zh))
    }
}

/// The scales of a photo (1 = as it is) that bring the head length into its band shrunk by
/// `length_margin_mm` at each end, and the head width into its band shrunk by
/// `width_margin_mm` too when the spec has a width rule, the width is measured and some scale
/// meets both (each margin at most a quarter of its band).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ScaleWindow {
    /// Smallest allowed scale.
    pub lo: f64,
    /// Largest allowed scale.
    pub hi: f64,
    /// The scale that puts the head length in the middle of its band.
    pub length_middle: f64,
    /// Whether the window also keeps the head width in its band.
    pub with_width: bool,
    /// True when the spec has a width rule and the width is measured, but no scale meets the
    /// length and width bands together (the face's proportions do not allow it).
    pub conflict: bool,
}

/// The [`ScaleWindow`] of the measured head, `None` without a head length rule or a measured
/// head length.
pub(crate) fn scale_window(
    spec: &Spec,
    m: &super::Measurements,
    (length_margin_mm, width_margin_mm): (f64, f64),
) -> Option<ScaleWindow> {
    let band = |value: f64, lo: f64, hi: f64, margin_mm: f64| {
        let inset = margin_mm.min((hi - lo) / 4.0);
        ((lo + inset) / value, (hi - inset) / value)
    };
    let length_rule = &spec.rules.get::<HeadLength>()?.params;
    let length = length_rule.measured(m).0.filter(|v| *v > 0.0)?;
    let (l_lo, l_hi) = band(
        length,
        length_rule.min_mm,
        length_rule.max_mm,
        length_margin_mm,
    );
    let length_middle = (length_rule.min_mm + length_rule.max_mm) / 2.0 / length;
    let width = spec.rules.get::<HeadWidth>().and_then(|w| {
        let v = w.params.measured(m).0.filter(|v| *v > 0.0)?;
        Some(band(v, w.params.min_mm, w.params.max_mm, width_margin_mm))
    });
    let mut window = ScaleWindow {
        lo: l_lo,
        hi: l_hi,
        length_middle,
        with_width: false,
        conflict: false,
    };
    if let Some((w_lo, w_hi)) = width {
        let (lo, hi) = (l_lo.max(w_lo), l_hi.min(w_hi));
        if lo <= hi {
            window.lo = lo;
            window.hi = hi;
            window.with_width = true;
        } else {
            window.conflict = true;
        }
    }
    Some(window)
}

/// The scale advice aims at: the head length's middle when the width does not constrain it,
/// else the scale nearest to it in the middle half of the window that meets both.
fn advised_scale(input: &CheckInput) -> Option<ScaleWindow> {
    scale_window(input.spec, input.measurements, (0.0, 0.0))
}

impl ScaleWindow {
    fn advised(&self) -> f64 {
        if self.with_width {
            let q = (self.hi - self.lo) / 4.0;
            self.length_middle.clamp(self.lo + q, self.hi - q)
        } else {
            self.length_middle
        }
    }
}

/// When a face's proportions cannot meet the head length and the head width bands together
/// (no single scale of the photo brings both inside): the sentence that says so, English and
/// Chinese, and which of the two `photocheck fix` keeps (the length). `None` when the spec
/// lacks either rule, either is not measured, or some scale meets both.
fn proportion_conflict(input: &CheckInput) -> Option<(String, String)> {
    if !advised_scale(input)?.conflict {
        return None;
    }
    let rules = &input.spec.rules;
    let length_rule = &rules.get::<HeadLength>()?.params;
    let width_rule = &rules.get::<HeadWidth>()?.params;
    let length = length_rule.measured(input.measurements).0?;
    let width = width_rule.measured(input.measurements).0?;
    // The fix keeps the length where it is when inside its band, else just inside.
    let kept = length.clamp(length_rule.min_mm, length_rule.max_mm);
    let width_after = width * kept / length;
    let ratio = (100.0 * width / length).round();
    let (ll, lh, wl, wh) = (
        fmt(length_rule.min_mm),
        fmt(length_rule.max_mm),
        fmt(width_rule.min_mm),
        fmt(width_rule.max_mm),
    );
    Some((
        format!(
            "this head is {ratio} % as wide as it is long, so no crop gives both the head length ({ll}-{lh} mm) and the head width ({wl}-{wh} mm); `photocheck fix` keeps the head length, and the width is then about {} mm (ask the clerk whether that is accepted)",
            mm_words(width_after)
        ),
        format!(
            "此人头部宽度为长度的 {ratio}%，无论如何裁剪都无法同时满足头部长度（{ll}–{lh} 毫米）和头部宽度（{wl}–{wh} 毫米）；photocheck fix 优先保证头部长度，宽度将约为 {} 毫米（请向受理窗口确认是否接受）",
            mm_words(width_after)
        ),
    ))
}

/// Advice to bring a margin (mm) to its band's middle: `more(amount)` when it must grow,
/// `less(amount)` when it must shrink, each giving the English and Chinese texts; the rule's
/// own advice when the margin was not measured.
fn margin_advice(
    name: &CheckName,
    r: &CheckResult,
    more: fn(&str) -> (String, String),
    less: fn(&str) -> (String, String),
) -> Option<Advice> {
    let Some(v) = r.value else {
        return Some(Advice::of(name));
    };
    let d = band_middle(r.min, r.max, v) - v;
    let (en, zh) = if d > 0.0 { more } else { less }(&mm_words(d));
    Some(Advice::new(name, en, zh))
}

/// Advice to scale the head by `percent` (`> 0` larger): which way to move the camera or the
/// crop, and how much, with `what` (English, Chinese) naming the measure and its target.
fn scale_advice(percent: f64, what: (&str, &str)) -> (String, String) {
    let amount = percent.abs();
    if percent > 0.0 {
        (
            format!(
                "move the camera closer or crop tighter: the head should be about {amount} % larger ({})",
                what.0
            ),
            format!(
                "请靠近镜头或裁剪得更紧：头部应放大约 {amount}%（{}）",
                what.1
            ),
        )
    } else {
        (
            format!(
                "step back or crop wider: the head should be about {amount} % smaller ({})",
                what.0
            ),
            format!(
                "请离镜头远一些或裁剪得更宽：头部应缩小约 {amount}%（{}）",
                what.1
            ),
        )
    }
}

/// `[rules.head_length]`: crown to chin, mm. With `crown = "skull"` the crown is the estimated
/// top of the skull (see [`crate::analysis::head::SKULL_EYE_RATIO`]) and the message says so.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadLength {
    /// Shortest allowed head length, mm.
    pub min_mm: f64,
    /// Longest allowed head length, mm.
    pub max_mm: f64,
    /// Top of hair or top of skull.
    #[serde(default)]
    pub crown: CrownBasis,
}

impl HeadLength {
    /// The measured head length on the rule's crown basis, mm, and what it is.
    pub(crate) fn measured(&self, m: &super::Measurements) -> (Option<f64>, &'static str) {
        match self.crown {
            CrownBasis::Hair => (m.head_length_mm, "head length (top of hair to chin)"),
            CrownBasis::Skull => (
                m.head_length_skull_mm,
                "head length (top of skull to chin, skull top estimated from the face)",
            ),
        }
    }
}

impl Check for HeadLength {
    const TABLE: &'static str = "head_length";
    const IDS: &'static [CheckName] = &[CheckName {
        id: "head_length",
        zh: "头部长度",
        fix_zh: "请重新裁剪，使头顶到下巴的长度符合要求",
        fix_en: "crop the photo so that the head, top of the hair to the chin, has the length the spec asks for",
        fix_repairs: Repair::Yes,
    }];
    const STAGES: Stages = Stages::HEAD;

    fn validate(&self, photo: &PhotoSize) -> Result<(), Problem> {
        range("min_mm", Some(self.min_mm), "max_mm", Some(self.max_mm))?;
        inside("max_mm", Some(self.max_mm), photo.height_mm, "height")
    }

    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult> {
        let m = input.measurements;
        let (value, what) = self.measured(m);
        let range = (Some(self.min_mm), Some(self.max_mm));
        vec![mm_check(
            Self::TABLE,
            severity,
            value,
            range,
            what,
            m.mm_per_px,
        )]
    }

    /// Direction and amount: the head should be N % larger or smaller (to the band's middle);
    /// when the face cannot meet the length and width bands together, that too, once.
    fn advice(&self, r: &CheckResult, input: &CheckInput) -> Option<Advice> {
        let name = &Self::IDS[0];
        let Some(v) = r.value else {
            return Some(Advice::of(name));
        };
        let scale = advised_scale(input).map_or(band_middle(r.min, r.max, v) / v, |w| w.advised());
        let target = v * scale;
        let (mut en, mut zh) = scale_advice(
            percent_change(1.0, scale),
            (
                &format!("crown to chin about {} mm", mm_words(target)),
                &format!("头顶到下巴约 {} 毫米", mm_words(target)),
            ),
        );
        if let Some((c_en, c_zh)) = proportion_conflict(input) {
            en = format!("{en}; {c_en}");
            zh = format!("{zh}；{c_zh}");
        }
        Some(Advice::new(name, en, zh))
    }

    fn summary(&self, _spec: &Spec) -> Option<String> {
        let crown = match self.crown {
            CrownBasis::Hair => "top of hair",
            CrownBasis::Skull => "top of skull",
        };
        Some(format!(
            "head length {}-{} mm ({crown} to chin)",
            self.min_mm, self.max_mm
        ))
    }
}

/// `[rules.head_width]`: head width on the given basis, mm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadWidth {
    /// Narrowest allowed head width, mm.
    pub min_mm: f64,
    /// Widest allowed head width, mm.
    pub max_mm: f64,
    /// Where the width is measured.
    #[serde(default)]
    pub basis: WidthBasis,
}

impl HeadWidth {
    /// The measured head width on the rule's basis, mm, and what it is (at ear level when
    /// an ear is covered by hair).
    pub(crate) fn measured(&self, m: &super::Measurements) -> (Option<f64>, &'static str) {
        let covered = self.basis == WidthBasis::Ears && m.head_width_ear_covered == Some(true);
        match self.basis {
            WidthBasis::Ears if covered => (
                m.head_width_ear_level_mm,
                "head width at ear level (an ear is covered by hair: measured to the hair outline there)",
            ),
            WidthBasis::Ears => (m.head_width_ears_mm, "head width (outer ear to outer ear)"),
            WidthBasis::EarRoots => (m.head_width_ear_roots_mm, "face width (at the ear roots)"),
            WidthBasis::Silhouette => (
                m.head_width_silhouette_mm,
                "head width (hair silhouette at eyebrow level)",
            ),
        }
    }
}

impl Check for HeadWidth {
    const TABLE: &'static str = "head_width";
    const IDS: &'static [CheckName] = &[CheckName {
        id: "head_width",
        zh: "头部宽度",
        fix_zh: "请重新裁剪或调整拍摄距离，使头部宽度符合要求",
        fix_en: "crop the photo or change the camera distance so that the head has the width the spec asks for",
        fix_repairs: Repair::No,
    }];
    const STAGES: Stages = Stages::HEAD;

    fn validate(&self, photo: &PhotoSize) -> Result<(), Problem> {
        range("min_mm", Some(self.min_mm), "max_mm", Some(self.max_mm))?;
        inside("max_mm", Some(self.max_mm), photo.width_mm, "width")
    }

    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult> {
        let m = input.measurements;
        let (value, what) = self.measured(m);
        let range = (Some(self.min_mm), Some(self.max_mm));
        let mut r = mm_check(Self::TABLE, severity, value, range, what, m.mm_per_px);
        if value.is_none() && self.basis == WidthBasis::Ears && m.head_length_mm.is_some() {
            r.message = format!(
                "{} (an ear is hidden and the head outline at ear level could not be found either: check the width by eye)",
                r.message
            );
        }
        vec![r]
    }

    /// Direction and amount: a scale that brings the width into its band while keeping the
    /// head length in its own (the middle of the scales both allow); when no scale does, the
    /// proportion conflict, said here unless the head length advice already says it.
    fn advice(&self, r: &CheckResult, input: &CheckInput) -> Option<Advice> {
        let name = &Self::IDS[0];
        let Some(v) = r.value else {
            return Some(Advice::of(name));
        };
        let length = input
            .spec
            .rules
            .get::<HeadLength>()
            .and_then(|l| Some((l.params.measured(input.measurements).0?, &l.params)));
        if let Some((c_en, c_zh)) = proportion_conflict(input) {
            let said_on_length = length.is_some_and(|(l, rule)| l < rule.min_mm || l > rule.max_mm);
            return Some(if said_on_length {
                Advice::new(
                    name,
                    "no crop meets the head width together with the head length for this head (see head_length)",
                    "此人头部比例无法同时满足头部宽度和长度（见头部长度）",
                )
            } else {
                Advice::new(name, c_en, c_zh)
            });
        }
        let scale = match advised_scale(input) {
            Some(w) => w.advised(),
            None => band_middle(r.min, r.max, v) / v,
        };
        let target = v * scale;
        let (en, zh) = scale_advice(
            percent_change(1.0, scale),
            (
                &format!("head width about {} mm", mm_words(target)),
                &format!("头部宽度约 {} 毫米", mm_words(target)),
            ),
        );
        Some(Advice::new(name, en, zh))
    }

    fn summary(&self, _spec: &Spec) -> Option<String> {
        let basis = match self.basis {
            WidthBasis::Ears => "outer ear to outer ear",
            WidthBasis::EarRoots => "at the ear roots",
            WidthBasis::Silhouette => "hair silhouette",
        };
        Some(format!(
            "head width {}-{} mm ({basis})",
            self.min_mm, self.max_mm
        ))
    }
}

/// `[rules.crown_margin]`: distance from the top edge of the photo to the crown, mm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrownMargin {
    /// Smallest allowed margin, mm.
    pub min_mm: f64,
    /// Largest allowed margin, mm.
    pub max_mm: f64,
}

impl Check for CrownMargin {
    const TABLE: &'static str = "crown_margin";
    const IDS: &'static [CheckName] = &[CheckName {
        id: "crown_margin",
        zh: "头顶距上边",
        fix_zh: "请重新裁剪，使头顶到上边的距离符合要求",
        fix_en: "crop the photo so that the space above the head is what the spec asks for",
        fix_repairs: Repair::Yes,
    }];
    const STAGES: Stages = Stages::HEAD;

    fn validate(&self, photo: &PhotoSize) -> Result<(), Problem> {
        range("min_mm", Some(self.min_mm), "max_mm", Some(self.max_mm))?;
        inside("min_mm", Some(self.min_mm), photo.height_mm, "height")
    }

    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult> {
        let m = input.measurements;
        let mut r = range_check(
            Self::TABLE,
            severity,
            m.crown_margin_mm,
            "mm",
            Some(self.min_mm),
            Some(self.max_mm),
            "space above the head",
        );
        if let Some(px) = m.crown_y_px {
            r.message = format!(
                "{}; {} px (allowed {}-{} px)",
                r.message,
                fmt(px),
                fmt(self.min_mm / m.mm_per_px),
                fmt(self.max_mm / m.mm_per_px)
            );
        }
        vec![r]
    }

    /// Direction and amount: about N mm more or less space above the head.
    fn advice(&self, r: &CheckResult, _input: &CheckInput) -> Option<Advice> {
        margin_advice(
            &Self::IDS[0],
            r,
            |mm| {
                (
                    format!("leave about {mm} mm more space above the head (crop higher)"),
                    format!("请在头顶上方多留约 {mm} 毫米空白"),
                )
            },
            |mm| {
                (
                    format!(
                        "leave about {mm} mm less space above the head (crop closer to the top of the hair)"
                    ),
                    format!("头顶上方空白过多：请减少约 {mm} 毫米"),
                )
            },
        )
    }

    fn summary(&self, _spec: &Spec) -> Option<String> {
        Some(format!(
            "space above the head {:.2}-{:.2} mm",
            self.min_mm, self.max_mm
        ))
    }
}

/// "at least 1 mm", "1-2 mm", ...: a range for a summary line.
fn bounds(lo: Option<f64>, hi: Option<f64>, unit: &str) -> String {
    match (lo, hi) {
        (Some(l), Some(h)) => format!("{l}-{h} {unit}"),
        (Some(l), None) => format!("at least {l} {unit}"),
        (None, Some(h)) => format!("at most {h} {unit}"),
        (None, None) => String::new(),
    }
}

/// `[rules.chin_margin]`: distance from the chin to the bottom edge of the photo, mm; at
/// least one bound.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChinMargin {
    /// Smallest allowed margin, mm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_mm: Option<f64>,
    /// Largest allowed margin, mm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_mm: Option<f64>,
}

impl Check for ChinMargin {
    const TABLE: &'static str = "chin_margin";
    const IDS: &'static [CheckName] = &[CheckName {
        id: "chin_margin",
        zh: "下颏距下边",
        fix_zh: "请重新裁剪，使下巴到下边的距离符合要求",
        fix_en: "crop the photo so that the space below the chin is what the spec asks for",
        fix_repairs: Repair::No,
    }];
    const STAGES: Stages = Stages::HEAD;

    fn validate(&self, photo: &PhotoSize) -> Result<(), Problem> {
        range("min_mm", self.min_mm, "max_mm", self.max_mm)?;
        inside("min_mm", self.min_mm, photo.height_mm, "height")?;
        if self.min_mm.is_none() && self.max_mm.is_none() {
            return Err(Problem::new("min_mm", "needs min_mm or max_mm"));
        }
        Ok(())
    }

    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult> {
        let m = input.measurements;
        vec![mm_check(
            Self::TABLE,
            severity,
            m.chin_margin_mm,
            (self.min_mm, self.max_mm),
            "space below the chin",
            m.mm_per_px,
        )]
    }

    /// Direction and amount: about N mm more or less space below the chin.
    fn advice(&self, r: &CheckResult, _input: &CheckInput) -> Option<Advice> {
        margin_advice(
            &Self::IDS[0],
            r,
            |mm| {
                (
                    format!(
                        "leave about {mm} mm more space below the chin: the neck and shoulders belong in the photo"
                    ),
                    format!("请在下巴下方多留约 {mm} 毫米（应露出颈部和双肩）"),
                )
            },
            |mm| {
                (
                    format!("leave about {mm} mm less space below the chin"),
                    format!("下巴下方空白过多：请减少约 {mm} 毫米"),
                )
            },
        )
    }

    fn summary(&self, _spec: &Spec) -> Option<String> {
        Some(format!(
            "space below the chin {}",
            bounds(self.min_mm, self.max_mm, "mm")
        ))
    }
}

/// `[rules.eye_line]`: height of the eye line, in mm (`min_mm`/`max_mm`) or as a share of the
/// photo height (`min_share`/`max_share`), from the bottom or the top edge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EyeLine {
    /// Edge the distance is measured from.
    #[serde(default)]
    pub from: EyeLineFrom,
    /// Smallest allowed distance, mm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_mm: Option<f64>,
    /// Largest allowed distance, mm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_mm: Option<f64>,
    /// Smallest allowed distance as a share of the photo height (0..1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_share: Option<f64>,
    /// Largest allowed distance as a share of the photo height (0..1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_share: Option<f64>,
}

impl EyeLine {
    fn in_shares(&self) -> bool {
        self.min_share.is_some() || self.max_share.is_some()
    }

    fn edge(&self) -> &'static str {
        match self.from {
            EyeLineFrom::Bottom => "bottom",
            EyeLineFrom::Top => "top",
        }
    }
}

impl Check for EyeLine {
    const TABLE: &'static str = "eye_line";
    const IDS: &'static [CheckName] = &[CheckName {
        id: "eye_line",
        zh: "眼睛位置",
        fix_zh: "请重新裁剪，使眼睛高度符合要求",
        fix_en: "crop the photo so that the eyes are at the height the spec asks for",
        fix_repairs: Repair::No,
    }];
    const STAGES: Stages = Stages::HEAD;

    fn validate(&self, photo: &PhotoSize) -> Result<(), Problem> {
        range("min_mm", self.min_mm, "max_mm", self.max_mm)?;
        range("min_share", self.min_share, "max_share", self.max_share)?;
        inside("min_mm", self.min_mm, photo.height_mm, "height")?;
        let mm = self.min_mm.is_some() || self.max_mm.is_some();
        if mm == self.in_shares() {
            return Err(Problem::new(
                "min_mm",
                "give the eye line either in mm (min_mm/max_mm) or as a share of the height (min_share/max_share)",
            ));
        }
        for (k, v) in [("min_share", self.min_share), ("max_share", self.max_share)] {
            if v.is_some_and(|v| v > 1.0) {
                return Err(Problem::new(k, "a share must be at most 1"));
            }
        }
        Ok(())
    }

    /// Height of the eye line from the bottom or the top edge, in mm or as a share of the
    /// photo height (as the rule is written).
    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult> {
        let height_mm = input.spec.photo.height_mm;
        let from_bottom = input.measurements.eye_line_from_bottom_mm;
        let mm = match self.from {
            EyeLineFrom::Bottom => from_bottom,
            EyeLineFrom::Top => from_bottom.map(|b| height_mm - b),
        };
        let edge = self.edge();
        vec![if self.in_shares() {
            range_check(
                Self::TABLE,
                severity,
                mm.map(|v| v / height_mm),
                "share",
                self.min_share,
                self.max_share,
                &format!("eye line from the {edge}, share of the height,"),
            )
        } else {
            range_check(
                Self::TABLE,
                severity,
                mm,
                "mm",
                self.min_mm,
                self.max_mm,
                &format!("eye line from the {edge} edge"),
            )
        }]
    }

    /// Direction and amount: the eyes about N mm higher or lower in the photo.
    fn advice(&self, r: &CheckResult, input: &CheckInput) -> Option<Advice> {
        let name = &Self::IDS[0];
        let Some(v) = r.value else {
            return Some(Advice::of(name));
        };
        let mut d = band_middle(r.min, r.max, v) - v;
        if self.in_shares() {
            d *= input.spec.photo.height_mm;
        }
        // Up in the photo: a larger distance from the bottom, a smaller one from the top.
        let up = (d > 0.0) == (self.from == EyeLineFrom::Bottom);
        let mm = mm_words(d);
        Some(if up {
            Advice::new(
                name,
                format!("crop so that the eyes are about {mm} mm higher in the photo"),
                format!("请重新裁剪，使眼睛在照片中上移约 {mm} 毫米"),
            )
        } else {
            Advice::new(
                name,
                format!("crop so that the eyes are about {mm} mm lower in the photo"),
                format!("请重新裁剪，使眼睛在照片中下移约 {mm} 毫米"),
            )
        })
    }

    fn summary(&self, _spec: &Spec) -> Option<String> {
        let b = if self.in_shares() {
            bounds(self.min_share, self.max_share, "of the height")
        } else {
            bounds(self.min_mm, self.max_mm, "mm")
        };
        Some(format!("eyes {b} from the {}", self.edge()))
    }
}

/// `[rules.head_centred]`: horizontal offset of the face centre from the photo's middle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadCentred {
    /// Largest allowed |offset| as a share of the image width (0.05 = 5 %).
    pub max_offset_frac: f64,
}

impl Check for HeadCentred {
    const TABLE: &'static str = "head_centred";
    const IDS: &'static [CheckName] = &[CheckName {
        id: "head_centred",
        zh: "人像居中",
        fix_zh: "请左右居中裁剪",
        fix_en: "crop the photo so that the face is in the middle",
        fix_repairs: Repair::Yes,
    }];
    const STAGES: Stages = Stages::HEAD;

    fn validate(&self, _photo: &PhotoSize) -> Result<(), Problem> {
        range(
            "max_offset_frac",
            Some(self.max_offset_frac),
            "max_offset_frac",
            None,
        )
    }

    /// |face centre offset| as a share of the image width.
    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult> {
        let offset = input.measurements.face_centre_offset;
        let mut r = range_check(
            Self::TABLE,
            severity,
            offset.map(f64::abs),
            "share",
            None,
            Some(self.max_offset_frac),
            "face centre off the middle by",
        );
        if let Some(off) = offset {
            let side = if off < 0.0 { "left" } else { "right" };
            r.message = format!(
                "{} (face is {:.1} % of the width to the {side})",
                r.message,
                off.abs() * 100.0
            );
        }
        vec![r]
    }

    /// Direction and amount: the face is N mm left or right of the middle.
    fn advice(&self, _r: &CheckResult, input: &CheckInput) -> Option<Advice> {
        let name = &Self::IDS[0];
        let Some(off) = input.measurements.face_centre_offset else {
            return Some(Advice::of(name));
        };
        let mm = mm_words(off * input.spec.photo.width_mm);
        Some(if off < 0.0 {
            Advice::new(
                name,
                format!("the face is about {mm} mm left of the middle: crop so that it is centred"),
                format!("人像偏左约 {mm} 毫米：请左右居中裁剪"),
            )
        } else {
            Advice::new(
                name,
                format!(
                    "the face is about {mm} mm right of the middle: crop so that it is centred"
                ),
                format!("人像偏右约 {mm} 毫米：请左右居中裁剪"),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{analysis, px, status_of};
    use crate::checks::Status;
    use crate::spec::Spec;

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
        // An ear covered by hair: the head outline at ear level stands in, and says so.
        let mut hidden = analysis(15.0, 255.0, 130.0, [40.0, 220.0]);
        hidden.head.as_mut().unwrap().ear_outer_x[0] = None;
        let w = px(15.0);
        hidden.head.as_mut().unwrap().outline_ear_level_x = Some([130.0 - w / 2.0, 220.0]);
        let r = super::super::testing::results(&hidden, &spec);
        let c = r.iter().find(|c| c.id == "head_width").unwrap();
        assert!(c.message.contains("covered by hair"), "{}", c.message);
        assert!((c.value.unwrap() - (220.0 - 130.0 + w / 2.0) * 32.0 / 378.0).abs() < 1e-6);
        // Neither the ear nor the outline: not measured.
        hidden.head.as_mut().unwrap().outline_ear_level_x = None;
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
    fn one_face_exactly() {
        let spec = Spec::preset("cn-driving-licence").unwrap();
        let mut a = analysis(15.0, 255.0, 130.0, [40.0, 220.0]);
        assert_eq!(status_of(&a, &spec, "single_face"), Status::Pass);
        a.faces.push(a.faces[0]);
        assert_eq!(status_of(&a, &spec, "single_face"), Status::Fail);
        a.faces.clear();
        a.head = None;
        a.pose = None;
        assert_eq!(status_of(&a, &spec, "single_face"), Status::Fail);
        assert_eq!(status_of(&a, &spec, "head_length"), Status::NotMeasured);
    }
}
