//! Specs: a document's photo rules, as data.
//!
//! A spec is a TOML file: the photo's physical size, then one table per rule under
//! `[rules.*]`, named by the stable check id it drives. A rule that a spec leaves out is not
//! checked. Units are explicit in key names (`_mm`, `_px`, `_deg`, `_kb`). Presets are
//! embedded in the binary (`src/spec/presets/*.toml`); every preset cites its sources.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Whether a failed rule fails the photo (`error`) or is only reported (`warn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A failed or unmeasurable rule fails the photo.
    #[default]
    Error,
    /// A failed rule is reported as `warn`; the photo can still pass.
    Warn,
}

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

/// A cited source of a spec's numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The standard or document, e.g. `GA 482-2012`.
    pub standard: String,
    /// Clause or section, e.g. `5.2.3`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause: Option<String>,
    /// Where the text was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The physical photo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhotoSize {
    /// Print width, mm.
    pub width_mm: f64,
    /// Print height, mm.
    pub height_mm: f64,
    /// When set, mm are computed from this resolution (dots per inch) instead of from
    /// `height_mm / image height`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpi: Option<f64>,
}

/// `[rules.image_aspect]`: width/height of the image against `photo.width_mm / photo.height_mm`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AspectRule {
    /// Allowed relative deviation of the aspect ratio (0.015 = 1.5 %).
    pub tolerance: f64,
    /// Severity.
    #[serde(default)]
    pub severity: Severity,
}

/// `[rules.image_pixels]`: exact pixel size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PixelsRule {
    /// Required width, px.
    pub width_px: u32,
    /// Required height, px.
    pub height_px: u32,
    /// Severity.
    #[serde(default)]
    pub severity: Severity,
}

/// `[rules.file_format]`: allowed container formats (`jpeg`, `png`, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormatRule {
    /// Allowed formats, lower case.
    pub formats: Vec<String>,
    /// Severity.
    #[serde(default)]
    pub severity: Severity,
}

/// `[rules.file_size]`: file size in KB (1 KB = 1024 bytes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSizeRule {
    /// Smallest allowed size, KB (1 KB = 1024 bytes).
    pub min_kb: f64,
    /// Largest allowed size, KB (1 KB = 1024 bytes).
    pub max_kb: f64,
    /// Severity.
    #[serde(default)]
    pub severity: Severity,
}

/// A rule with nothing to set but its severity (`single_face`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlainRule {
    /// Severity.
    #[serde(default)]
    pub severity: Severity,
}

/// `[rules.head_length]`: crown to chin, mm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadLengthRule {
    /// Shortest allowed head length, mm.
    pub min_mm: f64,
    /// Longest allowed head length, mm.
    pub max_mm: f64,
    /// Top of hair or top of skull.
    #[serde(default)]
    pub crown: CrownBasis,
    /// Severity.
    #[serde(default)]
    pub severity: Severity,
}

/// `[rules.head_width]`: head width on the given basis, mm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadWidthRule {
    /// Narrowest allowed head width, mm.
    pub min_mm: f64,
    /// Widest allowed head width, mm.
    pub max_mm: f64,
    /// Where the width is measured.
    #[serde(default)]
    pub basis: WidthBasis,
    /// Severity.
    #[serde(default)]
    pub severity: Severity,
}

/// `[rules.crown_margin]`: distance from the top edge of the photo to the crown, mm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrownMarginRule {
    /// Smallest allowed margin, mm.
    pub min_mm: f64,
    /// Largest allowed margin, mm.
    pub max_mm: f64,
    /// Severity.
    #[serde(default)]
    pub severity: Severity,
}

/// `[rules.head_centred]`: horizontal offset of the face centre from the photo's middle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CentredRule {
    /// Largest allowed |offset| as a share of the image width (0.05 = 5 %).
    pub max_offset_frac: f64,
    /// Severity.
    #[serde(default)]
    pub severity: Severity,
}

/// `[rules.background_white]`: the background (pixels outside the dilated person mask) in CIE
/// L*a*b* (D65).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackgroundRule {
    /// Smallest allowed mean L* of the background.
    pub min_mean_lightness: f64,
    /// Largest allowed mean chroma C*ab of the background.
    pub max_mean_chroma: f64,
    /// A background pixel darker than this L* counts as dark (shadow, object, border).
    pub dark_lightness: f64,
    /// Largest allowed share of dark background pixels (0.02 = 2 %).
    pub max_dark_share: f64,
    /// Severity.
    #[serde(default)]
    pub severity: Severity,
}

/// `[rules.colour_photo]`: the photo is in colour, not greyscale or toned monochrome (sepia).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColourRule {
    /// Smallest allowed mean chroma C*ab of the face skin.
    pub min_face_chroma: f64,
    /// Smallest allowed spread of hue (circular standard deviation, degrees) over the
    /// chromatic pixels of the person; a toned monochrome photo has almost one hue.
    pub min_hue_spread_deg: f64,
    /// Severity.
    #[serde(default)]
    pub severity: Severity,
}

/// `[rules.pose]`: head rotation limits, degrees (checks `pose_yaw`, `pose_pitch`, `pose_roll`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoseRule {
    /// Largest allowed |yaw| (turn left/right), degrees.
    pub max_yaw_deg: f64,
    /// Largest allowed |pitch| (nod up/down), degrees.
    pub max_pitch_deg: f64,
    /// Largest allowed |roll| (tilt of the eye line), degrees.
    pub max_roll_deg: f64,
    /// Severity.
    #[serde(default)]
    pub severity: Severity,
}

/// `[rules.taken_recently]`: age of the photo from its EXIF capture date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TakenRecentlyRule {
    /// Oldest allowed photo, in months (1 month = 30.44 days).
    pub max_age_months: f64,
    /// Severity.
    #[serde(default)]
    pub severity: Severity,
}

/// The rules of a spec, one optional table per check id.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct Rules {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_aspect: Option<AspectRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pixels: Option<PixelsRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_format: Option<FormatRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_size: Option<FileSizeRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single_face: Option<PlainRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_length: Option<HeadLengthRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_width: Option<HeadWidthRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crown_margin: Option<CrownMarginRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_centred: Option<CentredRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background_white: Option<BackgroundRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colour_photo: Option<ColourRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pose: Option<PoseRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken_recently: Option<TakenRecentlyRule>,
}

/// A document's photo rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Stable id, e.g. `cn-driving-licence`.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Other names accepted by `--spec` (local names such as `小一寸`).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Where the numbers come from.
    #[serde(default)]
    pub sources: Vec<Source>,
    /// The physical photo.
    pub photo: PhotoSize,
    /// The rules.
    #[serde(default)]
    pub rules: Rules,
}

/// The embedded presets: (file name, TOML text).
const PRESETS: &[(&str, &str)] = &[
    (
        "cn-driving-licence.toml",
        include_str!("presets/cn-driving-licence.toml"),
    ),
    (
        "cn-driving-licence-digital.toml",
        include_str!("presets/cn-driving-licence-digital.toml"),
    ),
];

impl Spec {
    /// Parses and validates a spec from TOML text; `origin` names the file in errors.
    ///
    /// Errors: [`Error::Spec`] naming the origin, the key and the line for TOML errors,
    /// unknown keys and impossible ranges.
    pub fn from_toml(text: &str, origin: &str) -> Result<Spec> {
        let spec: Spec = toml::from_str(text).map_err(|e| Error::Spec(format!("{origin}: {e}")))?;
        spec.validate()
            .map_err(|e| Error::Spec(format!("{origin}: {e}")))?;
        Ok(spec)
    }

    /// All embedded presets, in a stable order.
    pub fn presets() -> Vec<Spec> {
        PRESETS
            .iter()
            .map(|(name, text)| {
                Spec::from_toml(text, name).expect("embedded presets are valid (tested)")
            })
            .collect()
    }

    /// Finds a preset by id or alias.
    ///
    /// Errors: [`Error::Spec`] listing the known ids when none matches.
    pub fn preset(id: &str) -> Result<Spec> {
        let presets = Spec::presets();
        let ids: Vec<String> = presets.iter().map(|s| s.id.clone()).collect();
        presets
            .into_iter()
            .find(|s| s.id == id || s.aliases.iter().any(|a| a == id))
            .ok_or_else(|| Error::Spec(format!("unknown spec `{id}`; known: {}", ids.join(", "))))
    }

    /// mm per px for an image of the given height: `25.4 / dpi` when the spec pins a
    /// resolution, else `photo.height_mm / height_px` (the image is taken to be the whole photo).
    pub fn mm_per_px(&self, height_px: u32) -> f64 {
        match self.photo.dpi {
            Some(dpi) => 25.4 / dpi,
            None => self.photo.height_mm / f64::from(height_px.max(1)),
        }
    }

    fn validate(&self) -> std::result::Result<(), String> {
        let positive = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(format!("`{name}` must be a positive number, got {v}"))
            }
        };
        let range = |name: &str, lo: f64, hi: f64| {
            if !(lo.is_finite() && hi.is_finite()) || lo < 0.0 || lo > hi {
                Err(format!(
                    "`rules.{name}`: min {lo} and max {hi} are not a valid range (0 <= min <= max)"
                ))
            } else {
                Ok(())
            }
        };
        if self.id.trim().is_empty() {
            return Err("`id` must not be empty".into());
        }
        positive("photo.width_mm", self.photo.width_mm)?;
        positive("photo.height_mm", self.photo.height_mm)?;
        if let Some(dpi) = self.photo.dpi {
            positive("photo.dpi", dpi)?;
        }
        let r = &self.rules;
        if let Some(h) = &r.head_length {
            range("head_length", h.min_mm, h.max_mm)?;
            if h.max_mm > self.photo.height_mm {
                return Err("`rules.head_length.max_mm` is taller than the photo".into());
            }
        }
        if let Some(w) = &r.head_width {
            range("head_width", w.min_mm, w.max_mm)?;
            if w.max_mm > self.photo.width_mm {
                return Err("`rules.head_width.max_mm` is wider than the photo".into());
            }
        }
        if let Some(c) = &r.crown_margin {
            range("crown_margin", c.min_mm, c.max_mm)?;
        }
        if let Some(f) = &r.file_size {
            range("file_size", f.min_kb, f.max_kb)?;
        }
        if let Some(p) = &r.image_pixels {
            if p.width_px == 0 || p.height_px == 0 {
                return Err("`rules.image_pixels` must be at least 1x1 px".into());
            }
            if let Some(dpi) = self.photo.dpi {
                let w_mm = f64::from(p.width_px) * 25.4 / dpi;
                let h_mm = f64::from(p.height_px) * 25.4 / dpi;
                if (w_mm - self.photo.width_mm).abs() > 0.5
                    || (h_mm - self.photo.height_mm).abs() > 0.5
                {
                    return Err(format!(
                        "`rules.image_pixels` {}x{} px at {dpi} dpi is {w_mm:.1}x{h_mm:.1} mm, not the photo's {}x{} mm",
                        p.width_px, p.height_px, self.photo.width_mm, self.photo.height_mm
                    ));
                }
            }
        }
        if let Some(a) = &r.image_aspect {
            range("image_aspect", 0.0, a.tolerance)?;
        }
        if let Some(c) = &r.head_centred {
            range("head_centred", 0.0, c.max_offset_frac)?;
        }
        if let Some(p) = &r.pose {
            positive("rules.pose.max_yaw_deg", p.max_yaw_deg)?;
            positive("rules.pose.max_pitch_deg", p.max_pitch_deg)?;
            positive("rules.pose.max_roll_deg", p.max_roll_deg)?;
        }
        Ok(())
    }

    /// The spec as TOML text (for `photocheck specs show`).
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_parse_and_resolve_aliases() {
        assert!(Spec::presets().len() >= 2);
        assert_eq!(Spec::preset("小一寸").unwrap().id, "cn-driving-licence");
        assert_eq!(
            Spec::preset("cn-driving-licence-digital").unwrap().id,
            "cn-driving-licence-digital"
        );
        assert_eq!(Spec::preset("nope").unwrap_err().kind(), "spec");
    }

    #[test]
    fn digital_preset_pixels_agree_with_mm() {
        let s = Spec::preset("cn-driving-licence-digital").unwrap();
        let p = s.rules.image_pixels.as_ref().unwrap();
        let mm = s.mm_per_px(p.height_px);
        assert!((f64::from(p.width_px) * mm - s.photo.width_mm).abs() < 0.1);
    }

    #[test]
    fn impossible_range_is_refused_with_key() {
        let text = Spec::preset("cn-driving-licence").unwrap().to_toml();
        let bad = text.replace("min_mm = 19.0", "min_mm = 25.0");
        let e = Spec::from_toml(&bad, "bad.toml").unwrap_err().to_string();
        assert!(e.contains("bad.toml") && e.contains("head_length"), "{e}");
        let unknown = format!("{text}\n[rules.head_size]\nmin_mm = 1\n");
        let e = Spec::from_toml(&unknown, "u.toml").unwrap_err().to_string();
        assert!(e.contains("head_size"), "{e}");
    }
}
