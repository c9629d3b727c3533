//! Frame rules: the image's aspect ratio and pixel size (GA 482-2012 5.2.3: 22 x 32 mm; the
//! archive's 260 x 378 px digital photo; per preset in `src/spec/presets/*.toml`).

use serde::{Deserialize, Serialize};

use super::rule::{Check, CheckName, Problem, Repair, range};
use super::{CheckInput, CheckResult, Status, fmt, outcome, range_check};
use crate::analysis::Stages;
use crate::spec::{PhotoSize, Severity, Spec};

/// `[rules.image_aspect]`: width/height of the image against `photo.width_mm /
/// photo.height_mm`, within a relative tolerance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageAspect {
    /// Allowed relative deviation of the aspect ratio (0.015 = 1.5 %).
    pub tolerance: f64,
}

impl Check for ImageAspect {
    const TABLE: &'static str = "image_aspect";
    const IDS: &'static [CheckName] = &[CheckName {
        id: "image_aspect",
        zh: "照片宽高比",
        fix_zh: "请按规格的宽高比裁剪照片",
        fix_en: "crop the photo to the spec's width-to-height ratio",
        fix_repairs: Repair::Yes,
    }];
    const STAGES: Stages = Stages::NONE;

    fn validate(&self, _photo: &PhotoSize) -> Result<(), Problem> {
        range("tolerance", Some(self.tolerance), "tolerance", None)
    }

    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult> {
        let (facts, photo) = (&input.analysis.facts, &input.spec.photo);
        let want = photo.width_mm / photo.height_mm;
        let got = f64::from(facts.width_px) / f64::from(facts.height_px.max(1));
        let mut r = range_check(
            Self::TABLE,
            severity,
            Some(got),
            "ratio",
            Some(want * (1.0 - self.tolerance)),
            Some(want * (1.0 + self.tolerance)),
            "width/height",
        );
        r.message = format!(
            "{} ({}x{} px; the photo is {}:{} mm)",
            r.message, facts.width_px, facts.height_px, photo.width_mm, photo.height_mm
        );
        vec![r]
    }
}

/// `[rules.image_pixels]`: pixel size, exact (`width_px`, `height_px`) or bounded
/// (`min_width_px`, `max_width_px`, `min_height_px`, `max_height_px`); at least one key.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImagePixels {
    /// Required width, px.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width_px: Option<u32>,
    /// Required height, px.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height_px: Option<u32>,
    /// Smallest allowed width, px.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_width_px: Option<u32>,
    /// Largest allowed width, px.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_width_px: Option<u32>,
    /// Smallest allowed height, px.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_height_px: Option<u32>,
    /// Largest allowed height, px.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_height_px: Option<u32>,
    /// Smallest allowed resolution at the photo's print size, px per mm (11.8 = 300 dpi): a
    /// small image judged against a print size fails with the resolution it has and needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_px_per_mm: Option<f64>,
}

impl ImagePixels {
    /// The pixel size part of the `photocheck specs` photo line (`260x378 px`, `at least
    /// 600x600 px`), empty when the rule bounds only one side.
    pub fn describe(&self) -> Vec<String> {
        let mut px = Vec::new();
        if let Some(r) = self.min_px_per_mm {
            px.push(format!("at least {} px per mm", fmt(r)));
        }
        match (self.width_px, self.height_px) {
            (Some(w), Some(h)) => px.push(format!("{w}x{h} px")),
            _ => {
                if let (Some(w), Some(h)) = (self.min_width_px, self.min_height_px) {
                    px.push(format!("at least {w}x{h} px"));
                }
                if let (Some(w), Some(h)) = (self.max_width_px, self.max_height_px) {
                    px.push(format!("at most {w}x{h} px"));
                }
            }
        }
        px
    }
}

impl Check for ImagePixels {
    const TABLE: &'static str = "image_pixels";
    const IDS: &'static [CheckName] = &[CheckName {
        id: "image_pixels",
        zh: "像素尺寸",
        fix_zh: "像素不足：请使用更高分辨率的原图",
        fix_en: "use the original photo (more pixels), saved at the spec's pixel size",
        fix_repairs: Repair::Yes,
    }];
    const STAGES: Stages = Stages::NONE;

    fn validate(&self, photo: &PhotoSize) -> Result<(), Problem> {
        let all = [
            self.width_px,
            self.height_px,
            self.min_width_px,
            self.max_width_px,
            self.min_height_px,
            self.max_height_px,
        ];
        if all.iter().all(Option::is_none) && self.min_px_per_mm.is_none() {
            return Err(Problem::new(
                "width_px",
                "needs an exact or a minimum/maximum pixel size, or min_px_per_mm",
            ));
        }
        if let Some(r) = self.min_px_per_mm {
            super::rule::positive("min_px_per_mm", r)?;
        }
        if all.contains(&Some(0)) {
            return Err(Problem::new("width_px", "pixel sizes must be at least 1"));
        }
        let f = |v: Option<u32>| v.map(f64::from);
        range(
            "min_width_px",
            f(self.min_width_px),
            "max_width_px",
            f(self.max_width_px),
        )?;
        range(
            "min_height_px",
            f(self.min_height_px),
            "max_height_px",
            f(self.max_height_px),
        )?;
        if let (Some(dpi), Some(pw), Some(ph)) = (photo.dpi, self.width_px, self.height_px) {
            let (w, h) = (photo.width_mm, photo.height_mm);
            let (w_mm, h_mm) = (f64::from(pw) * 25.4 / dpi, f64::from(ph) * 25.4 / dpi);
            if (w_mm - w).abs() > 0.5 || (h_mm - h).abs() > 0.5 {
                return Err(Problem::new(
                    "width_px",
                    format!(
                        "{pw}x{ph} px at {dpi} dpi is {w_mm:.1}x{h_mm:.1} mm, not the photo's {w}x{h} mm"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Exact pixel size, or within minimum/maximum sizes. The value is the pixel count (width
    /// x height); the message gives both sides.
    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult> {
        let facts = &input.analysis.facts;
        let (w, h) = (facts.width_px, facts.height_px);
        let mut wrong = Vec::new();
        let mut side =
            |name: &str, v: u32, exact: Option<u32>, lo: Option<u32>, hi: Option<u32>| {
                if exact.is_some_and(|e| v != e) {
                    wrong.push(format!("{name} {v} px, required {} px", exact.unwrap_or(v)));
                }
                if lo.is_some_and(|l| v < l) {
                    wrong.push(format!("{name} {v} px, at least {} px", lo.unwrap_or(v)));
                }
                if hi.is_some_and(|m| v > m) {
                    wrong.push(format!("{name} {v} px, at most {} px", hi.unwrap_or(v)));
                }
            };
        side(
            "width",
            w,
            self.width_px,
            self.min_width_px,
            self.max_width_px,
        );
        side(
            "height",
            h,
            self.height_px,
            self.min_height_px,
            self.max_height_px,
        );
        let photo = &input.spec.photo;
        let px_per_mm = (f64::from(w) / photo.width_mm).min(f64::from(h) / photo.height_mm);
        if let Some(need) = self.min_px_per_mm.filter(|need| px_per_mm < *need) {
            wrong.push(format!(
                "{} px per mm at {} x {} mm, at least {} px per mm ({:.0} dpi): use a larger photo, at least {} x {} px",
                fmt(px_per_mm),
                fmt(photo.width_mm),
                fmt(photo.height_mm),
                fmt(need),
                need * 25.4,
                (need * photo.width_mm).ceil(),
                (need * photo.height_mm).ceil()
            ));
        }
        let ok = wrong.is_empty();
        vec![CheckResult {
            id: Self::TABLE.into(),
            status: outcome(ok, severity),
            severity,
            value: Some(f64::from(w) * f64::from(h)),
            unit: "px".into(),
            min: None,
            max: None,
            message: if ok {
                format!("image {w}x{h} px")
            } else {
                format!("image {w}x{h} px: {}", wrong.join("; "))
            },
            spec_source: None,
            advice: None,
        }]
    }

    fn summary(&self, _spec: &Spec) -> Option<String> {
        // Part of the photo line ([`Spec::summary`]).
        None
    }
}

/// `[rules.image_dpi]`: the resolution the file records (EXIF X/YResolution, else the JFIF
/// density or the PNG pHYs chunk), dots per inch, for specs whose digital photo states one
/// (the archive digital photo: 300 dpi). A file that records none is `not_measured`: the
/// person is told to save it with the required resolution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageDpi {
    /// Required resolution, dots per inch (both directions).
    pub dpi: f64,
    /// Allowed deviation, dots per inch (rounding in the file's rational numbers).
    #[serde(default = "ImageDpi::default_tolerance")]
    pub tolerance_dpi: f64,
}

impl ImageDpi {
    fn default_tolerance() -> f64 {
        1.0
    }
}

impl Check for ImageDpi {
    const TABLE: &'static str = "image_dpi";
    const IDS: &'static [CheckName] = &[CheckName {
        id: "image_dpi",
        zh: "分辨率",
        fix_zh: "请按规定的分辨率（DPI）保存照片",
        fix_en: "save the photo with the resolution (dpi) the spec asks for",
        fix_repairs: Repair::Yes,
    }];
    const STAGES: Stages = Stages::NONE;

    fn validate(&self, _photo: &PhotoSize) -> Result<(), Problem> {
        super::rule::positive("dpi", self.dpi)?;
        range(
            "tolerance_dpi",
            Some(self.tolerance_dpi),
            "tolerance_dpi",
            None,
        )
    }

    /// The value is the recorded resolution farther from the required one (x or y).
    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult> {
        let (lo, hi) = (self.dpi - self.tolerance_dpi, self.dpi + self.tolerance_dpi);
        let recorded = input.analysis.facts.dpi.map(|[x, y]| {
            if (x - self.dpi).abs() >= (y - self.dpi).abs() {
                x
            } else {
                y
            }
        });
        let mut r = range_check(
            Self::TABLE,
            severity,
            recorded,
            "dpi",
            Some(lo),
            Some(hi),
            "resolution recorded in the file",
        );
        r.message = match (r.status, input.analysis.facts.dpi) {
            (Status::NotMeasured, _) => format!(
                "the file records no resolution (dpi); save the photo with {} dpi",
                fmt(self.dpi)
            ),
            (Status::Pass, _) => r.message,
            (_, Some([x, y])) => format!(
                "resolution {} x {} dpi recorded in the file, required {} dpi: save the photo with {} dpi (the pixel size stays)",
                fmt(x),
                fmt(y),
                fmt(self.dpi),
                fmt(self.dpi)
            ),
            (_, None) => r.message,
        };
        vec![r]
    }

    fn summary(&self, _spec: &Spec) -> Option<String> {
        Some(format!("file at {} dpi", fmt(self.dpi)))
    }
}

/// `[rules.half_body]`: head and upper shoulders in the frame (GA 482-2012 5.2.3: 半身), not a
/// face-only crop. The value is the space from the chin down to the bottom edge in head
/// lengths (crown to chin). A compliant 22 x 32 mm photo has 0.40-0.59 (the photo suite's
/// compliant photos); face-only crops on the development set have at most 0.12, and
/// head-and-shoulder portraits at least 0.19.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HalfBody {
    /// Smallest allowed space below the chin, in head lengths.
    pub min_below_chin: f64,
    /// With this set, a photo with less space below the chin still shows the upper body when
    /// the person along the bottom edge (the shoulders) is at least this many face widths
    /// wide (at the ear roots) and the chin is at least [`HALF_BODY_MIN_NECK`] head lengths
    /// above the bottom edge: a head-and-shoulders photo framed tight. A face-only crop's
    /// bottom row is the neck or the face, narrower.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_shoulder_width: Option<f64>,
}

/// Space below the chin, in head lengths, that a photo passing on its shoulders' width must
/// still have (the neck).
pub const HALF_BODY_MIN_NECK: f64 = 0.03;

/// "; 10.4 mm, 123 px below the chin" for a half-body message, when measured.
fn below_mm(m: &super::Measurements) -> String {
    m.chin_margin_mm.map_or(String::new(), |mm| {
        format!(
            "; {} mm, {} px below the chin",
            fmt(mm),
            fmt(mm / m.mm_per_px)
        )
    })
}

impl Check for HalfBody {
    const TABLE: &'static str = "half_body";
    const IDS: &'static [CheckName] = &[CheckName {
        id: "half_body",
        zh: "半身像",
        fix_zh: "请拍摄半身像：包含头部、颈部和双肩",
        fix_en: "take a half-body photo: head, neck and both shoulders in the frame (a face-only crop cannot be repaired)",
        fix_repairs: Repair::No,
    }];
    const STAGES: Stages = Stages::HEAD;

    fn validate(&self, _photo: &PhotoSize) -> Result<(), Problem> {
        super::rule::positive("min_below_chin", self.min_below_chin)?;
        match self.min_shoulder_width {
            Some(w) => super::rule::positive("min_shoulder_width", w),
            None => Ok(()),
        }
    }

    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult> {
        let m = input.measurements;
        let height = f64::from(input.analysis.facts.height_px);
        let below = m
            .chin_y_px
            .zip(m.head_length_px)
            .map(|(chin, head)| (height - chin) / head.max(1.0));
        let mut r = range_check(
            Self::TABLE,
            severity,
            below,
            "ratio",
            Some(self.min_below_chin),
            None,
            "space below the chin, in head lengths,",
        );
        let shoulders = self.min_shoulder_width.zip(m.bottom_person_width_faces);
        if let (Status::Fail, Some(v), Some((need, width))) = (r.status, below, shoulders)
            && v >= HALF_BODY_MIN_NECK
            && width >= need
        {
            r.status = Status::Pass;
            r.message = format!(
                "head and shoulders in the frame: the shoulders span the bottom edge, {} face widths (at least {}), {} head lengths below the chin{}",
                fmt(width),
                fmt(need),
                fmt(v),
                below_mm(m)
            );
            return vec![r];
        }
        r.message = match (r.status, below) {
            (Status::NotMeasured, _) => {
                "half-body not measured (no face found): check by eye that the head and upper shoulders are in the photo".into()
            }
            (Status::Pass, Some(v)) => format!(
                "head and shoulders in the frame: {} head lengths below the chin (at least {}){}",
                fmt(v),
                fmt(self.min_below_chin),
                below_mm(m)
            ),
            (_, Some(v)) => format!(
                "the photo ends at the chin: {} head lengths below it (at least {}){}: show the head, the neck and the upper shoulders (a half-body photo), not the face alone",
                fmt(v),
                fmt(self.min_below_chin),
                below_mm(m)
            ),
            (_, None) => r.message,
        };
        vec![r]
    }

    fn summary(&self, _spec: &Spec) -> Option<String> {
        Some("head and shoulders (half-body)".into())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{analysis, status_of};
    use crate::checks::Status;
    use crate::spec::Spec;

    #[test]
    fn aspect_and_pixel_size() {
        let spec = Spec::preset("cn-driving-licence-digital").unwrap();
        let mut a = analysis(15.0, 255.0, 130.0, [40.0, 220.0]);
        assert_eq!(status_of(&a, &spec, "image_aspect"), Status::Pass);
        assert_eq!(status_of(&a, &spec, "image_pixels"), Status::Pass);
        a.facts.width_px = 300;
        assert_eq!(status_of(&a, &spec, "image_aspect"), Status::Fail);
        assert_eq!(status_of(&a, &spec, "image_pixels"), Status::Fail);
    }

    #[test]
    fn shoulders_in_the_frame() {
        let spec = Spec::preset("cn-driving-licence").unwrap();
        let mut a = analysis(15.0, 255.0, 130.0, [40.0, 220.0]);
        // Crown 15 px, chin 255 px: 123 px below the chin = 0.51 head lengths.
        assert_eq!(status_of(&a, &spec, "half_body"), Status::Pass);
        // A face-only crop: the chin 10 px above the bottom edge.
        let crop = analysis(15.0, 368.0, 130.0, [40.0, 220.0]);
        assert_eq!(status_of(&crop, &spec, "half_body"), Status::Fail);
        a.head = None;
        assert_eq!(status_of(&a, &spec, "half_body"), Status::NotMeasured);
    }

    #[test]
    fn a_tiny_photo_has_too_few_pixels_per_mm() {
        let spec = Spec::preset("cn-driving-licence").unwrap();
        let mut a = analysis(15.0, 255.0, 130.0, [40.0, 220.0]);
        // 260 x 378 px for 22 x 32 mm: 11.8 px per mm (300 dpi).
        assert_eq!(status_of(&a, &spec, "image_pixels"), Status::Pass);
        (a.facts.width_px, a.facts.height_px) = (65, 95);
        assert_eq!(status_of(&a, &spec, "image_pixels"), Status::Fail);
        let r = super::super::testing::results(&a, &spec);
        let c = r.iter().find(|c| c.id == "image_pixels").unwrap();
        assert!(
            c.message.contains("2.95 px per mm") && c.message.contains("260 x 378 px"),
            "{}",
            c.message
        );
    }

    #[test]
    fn recorded_resolution() {
        let spec = Spec::preset("cn-driving-licence-digital").unwrap();
        let mut a = analysis(15.0, 255.0, 130.0, [40.0, 220.0]);
        a.facts.dpi = None;
        assert_eq!(status_of(&a, &spec, "image_dpi"), Status::NotMeasured);
        for (dpi, want) in [
            ([300.0, 300.0], Status::Pass),
            ([299.5, 300.4], Status::Pass),
            ([72.0, 72.0], Status::Fail),
            ([600.0, 600.0], Status::Fail),
            ([300.0, 72.0], Status::Fail),
        ] {
            a.facts.dpi = Some(dpi);
            assert_eq!(status_of(&a, &spec, "image_dpi"), want, "{dpi:?}");
        }
        // Print presets state no file resolution.
        let print = Spec::preset("cn-driving-licence").unwrap();
        assert!(!print.rules.check_ids().any(|id| id == "image_dpi"));
    }
}
