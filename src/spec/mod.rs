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
    /// The standard and clause this rule comes from (shown with the check's result).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// `[rules.image_pixels]`: pixel size, exact (`width_px`, `height_px`) or bounded
/// (`min_width_px`, `max_width_px`, `min_height_px`, `max_height_px`); at least one key.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PixelsRule {
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
    /// Severity.
    #[serde(default)]
    pub severity: Severity,
    /// The standard and clause this rule comes from (shown with the check's result).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
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
    /// The standard and clause this rule comes from (shown with the check's result).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
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
    /// The standard and clause this rule comes from (shown with the check's result).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// A rule with nothing to set but its severity (`single_face`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlainRule {
    /// Severity.
    #[serde(default)]
    pub severity: Severity,
    /// The standard and clause this rule comes from (shown with the check's result).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
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
    /// The standard and clause this rule comes from (shown with the check's result).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
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
    /// The standard and clause this rule comes from (shown with the check's result).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
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
    /// The standard and clause this rule comes from (shown with the check's result).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
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
    /// The standard and clause this rule comes from (shown with the check's result).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
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
    /// The standard and clause this rule comes from (shown with the check's result).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
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
    /// The standard and clause this rule comes from (shown with the check's result).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
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
    /// The standard and clause this rule comes from (shown with the check's result).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
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
    /// The standard and clause this rule comes from (shown with the check's result).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// `[rules.chin_margin]`: distance from the chin to the bottom edge of the photo, mm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChinMarginRule {
    /// Smallest allowed margin, mm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_mm: Option<f64>,
    /// Largest allowed margin, mm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_mm: Option<f64>,
    /// Severity.
    #[serde(default)]
    pub severity: Severity,
    /// The standard and clause this rule comes from (shown with the check's result).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
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

/// `[rules.eye_line]`: height of the eye line, in mm (`min_mm`/`max_mm`) or as a share of the
/// photo height (`min_share`/`max_share`), from the bottom or the top edge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EyeLineRule {
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
    /// Severity.
    #[serde(default)]
    pub severity: Severity,
    /// The standard and clause this rule comes from (shown with the check's result).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
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

/// `[rules.background_colour]`: the backdrop's mean colour is one of the allowed colours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackgroundColourRule {
    /// Allowed colours.
    pub colours: Vec<AllowedColour>,
    /// Severity.
    #[serde(default)]
    pub severity: Severity,
    /// The standard and clause this rule comes from (shown with the check's result).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// `[rules.background_uniform]`: the backdrop is even: at most `max_share` of its pixels
/// differ from its mean colour by more than `max_delta_e` (Delta E*ab), after thin strands
/// of hair are removed (see the analysis).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UniformRule {
    /// A pixel farther than this from the mean backdrop colour is uneven (Delta E*ab).
    pub max_delta_e: f64,
    /// Largest allowed share of uneven pixels (0..1).
    pub max_share: f64,
    /// Severity.
    #[serde(default)]
    pub severity: Severity,
    /// The standard and clause this rule comes from (shown with the check's result).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
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
    pub chin_margin: Option<ChinMarginRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eye_line: Option<EyeLineRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_centred: Option<CentredRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background_white: Option<BackgroundRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background_colour: Option<BackgroundColourRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background_uniform: Option<UniformRule>,
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

/// The embedded presets: (file name, TOML text), in the order `photocheck specs` lists them.
const PRESETS: &[(&str, &str)] = &[
    (
        "cn-driving-licence.toml",
        include_str!("presets/cn-driving-licence.toml"),
    ),
    (
        "cn-driving-licence-digital.toml",
        include_str!("presets/cn-driving-licence-digital.toml"),
    ),
    ("cn-id-card.toml", include_str!("presets/cn-id-card.toml")),
    ("cn-passport.toml", include_str!("presets/cn-passport.toml")),
    ("icao-35x45.toml", include_str!("presets/icao-35x45.toml")),
    ("eu-schengen.toml", include_str!("presets/eu-schengen.toml")),
    ("uk-passport.toml", include_str!("presets/uk-passport.toml")),
    ("us-passport.toml", include_str!("presets/us-passport.toml")),
    ("ca-passport.toml", include_str!("presets/ca-passport.toml")),
    ("in-passport.toml", include_str!("presets/in-passport.toml")),
    ("jp-passport.toml", include_str!("presets/jp-passport.toml")),
    ("kr-passport.toml", include_str!("presets/kr-passport.toml")),
    ("au-passport.toml", include_str!("presets/au-passport.toml")),
];

/// The 1-based line of `key` inside table `table` (dotted path, empty for the top level) in a
/// TOML text, for error messages; the table header's line when the key is not written there.
fn locate(text: &str, table: &str, key: &str) -> Option<usize> {
    let mut in_table = table.is_empty();
    let mut header_line = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.starts_with('[') {
            let name = line.trim_matches(|c| c == '[' || c == ']').trim();
            in_table = name == table;
            if in_table {
                header_line = Some(i + 1);
            }
            continue;
        }
        if in_table
            && line
                .split_once('=')
                .is_some_and(|(k, _)| k.trim().trim_matches('"') == key)
        {
            return Some(i + 1);
        }
    }
    header_line
}

/// Merges `over` into `base`: tables merge key by key, every other value replaces.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// A validation problem: table (dotted), key, and what is wrong.
struct Problem {
    table: String,
    key: String,
    message: String,
}

fn problem(table: &str, key: &str, message: String) -> Problem {
    Problem {
        table: table.into(),
        key: key.into(),
        message,
    }
}

impl Spec {
    /// Parses and validates a spec from TOML text; `origin` names the file in errors.
    ///
    /// A spec may start with `extends = "preset-id"`: it then takes the preset and replaces
    /// what the text sets (tables merge key by key). Errors: [`Error::Spec`] naming the origin,
    /// the line and the key, for TOML syntax errors, unknown keys, missing required fields,
    /// impossible ranges and a pixel size that disagrees with mm x DPI.
    pub fn from_toml(text: &str, origin: &str) -> Result<Spec> {
        let fail = |line: Option<usize>, msg: String| {
            Error::Spec(match line {
                Some(l) => format!("{origin}, line {l}: {msg}"),
                None => format!("{origin}: {msg}"),
            })
        };
        let mut table: toml::Table = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|sp| text[..sp.start.min(text.len())].lines().count().max(1));
            fail(line, e.message().to_string())
        })?;
        if let Some(parent) = table.remove("extends") {
            let Some(parent_id) = parent.as_str() else {
                return Err(fail(
                    locate(text, "", "extends"),
                    "`extends` must be a preset id (a string)".into(),
                ));
            };
            let (_, base_text) = preset_text(parent_id)
                .ok_or_else(|| fail(locate(text, "", "extends"), unknown_spec(parent_id)))?;
            let mut base: toml::Table = toml::from_str(base_text)
                .map_err(|e| Error::Spec(format!("preset {parent_id}: {e}")))?;
            base.remove("aliases");
            merge(&mut base, table);
            table = base;
        }
        let spec: Spec = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| {
                let msg = e.message().to_string();
                // Name the offending key's line when the message quotes it (`unknown field `x``).
                let key = msg.split('`').nth(1).unwrap_or("");
                let line = text
                    .lines()
                    .position(|l| {
                        let l = l.trim();
                        !key.is_empty()
                            && (l.starts_with(&format!("{key} "))
                                || l.starts_with(&format!("{key}="))
                                || l.trim_matches(|c| c == '[' || c == ']')
                                    .ends_with(&format!(".{key}"))
                                || l.trim_matches(|c| c == '[' || c == ']') == key)
                    })
                    .map(|i| i + 1);
                fail(line, msg)
            })?;
        spec.validate().map_err(|p| {
            fail(
                locate(text, &p.table, &p.key),
                format!(
                    "`{}`: {}",
                    [p.table.as_str(), p.key.as_str()]
                        .iter()
                        .filter(|s| !s.is_empty())
                        .copied()
                        .collect::<Vec<_>>()
                        .join("."),
                    p.message
                ),
            )
        })?;
        Ok(spec)
    }

    /// Reads a spec file (see [`Spec::from_toml`]).
    ///
    /// Errors: [`Error::NotFound`] / [`Error::Io`] for the file, [`Error::Spec`] for its content.
    pub fn from_file(path: &std::path::Path) -> Result<Spec> {
        let bytes = crate::engine::read_file(path)?;
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::Spec(format!("{}: not UTF-8 text", path.display())))?;
        Spec::from_toml(&text, &path.display().to_string())
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
        let (name, text) = preset_text(id).ok_or_else(|| Error::Spec(unknown_spec(id)))?;
        Spec::from_toml(text, name)
    }

    /// The source to show for a rule: the rule's own `source`, else the spec's first source.
    pub fn rule_source(&self, rule_source: Option<&String>) -> Option<String> {
        rule_source.cloned().or_else(|| {
            self.sources.first().map(|s| match &s.clause {
                Some(c) => format!("{} {c}", s.standard),
                None => s.standard.clone(),
            })
        })
    }

    /// mm per px for an image of the given height: `25.4 / dpi` when the spec pins a
    /// resolution, else `photo.height_mm / height_px` (the image is taken to be the whole photo).
    pub fn mm_per_px(&self, height_px: u32) -> f64 {
        match self.photo.dpi {
            Some(dpi) => 25.4 / dpi,
            None => self.photo.height_mm / f64::from(height_px.max(1)),
        }
    }

    fn validate(&self) -> std::result::Result<(), Problem> {
        let positive = |table: &str, key: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(problem(
                    table,
                    key,
                    format!("must be a positive number, got {v}"),
                ))
            }
        };
        let range = |table: &str, lo_key: &str, lo: Option<f64>, hi_key: &str, hi: Option<f64>| {
            for (k, v) in [(lo_key, lo), (hi_key, hi)] {
                if let Some(v) = v.filter(|v| !v.is_finite() || *v < 0.0) {
                    return Err(problem(table, k, format!("must not be negative, got {v}")));
                }
            }
            match (lo, hi) {
                (Some(l), Some(h)) if l > h => Err(problem(
                    table,
                    lo_key,
                    format!("min {l} is larger than max {h}"),
                )),
                _ => Ok(()),
            }
        };
        let inside = |table: &str, key: &str, v: Option<f64>, limit: f64, what: &str| match v {
            Some(v) if v > limit => Err(problem(
                table,
                key,
                format!("{v} mm is more than the photo's {what} ({limit} mm)"),
            )),
            _ => Ok(()),
        };
        if self.id.trim().is_empty() {
            return Err(problem("", "id", "must not be empty".into()));
        }
        let (w, h) = (self.photo.width_mm, self.photo.height_mm);
        positive("photo", "width_mm", w)?;
        positive("photo", "height_mm", h)?;
        if let Some(dpi) = self.photo.dpi {
            positive("photo", "dpi", dpi)?;
        }
        let r = &self.rules;
        if let Some(x) = &r.head_length {
            range(
                "rules.head_length",
                "min_mm",
                Some(x.min_mm),
                "max_mm",
                Some(x.max_mm),
            )?;
            inside("rules.head_length", "max_mm", Some(x.max_mm), h, "height")?;
        }
        if let Some(x) = &r.head_width {
            range(
                "rules.head_width",
                "min_mm",
                Some(x.min_mm),
                "max_mm",
                Some(x.max_mm),
            )?;
            inside("rules.head_width", "max_mm", Some(x.max_mm), w, "width")?;
        }
        if let Some(x) = &r.crown_margin {
            range(
                "rules.crown_margin",
                "min_mm",
                Some(x.min_mm),
                "max_mm",
                Some(x.max_mm),
            )?;
            inside("rules.crown_margin", "min_mm", Some(x.min_mm), h, "height")?;
        }
        if let Some(x) = &r.chin_margin {
            range("rules.chin_margin", "min_mm", x.min_mm, "max_mm", x.max_mm)?;
            inside("rules.chin_margin", "min_mm", x.min_mm, h, "height")?;
            if x.min_mm.is_none() && x.max_mm.is_none() {
                return Err(problem(
                    "rules.chin_margin",
                    "min_mm",
                    "needs min_mm or max_mm".into(),
                ));
            }
        }
        if let Some(x) = &r.eye_line {
            range("rules.eye_line", "min_mm", x.min_mm, "max_mm", x.max_mm)?;
            range(
                "rules.eye_line",
                "min_share",
                x.min_share,
                "max_share",
                x.max_share,
            )?;
            inside("rules.eye_line", "min_mm", x.min_mm, h, "height")?;
            let mm = x.min_mm.is_some() || x.max_mm.is_some();
            let share = x.min_share.is_some() || x.max_share.is_some();
            if mm == share {
                return Err(problem(
                    "rules.eye_line",
                    "min_mm",
                    "give the eye line either in mm (min_mm/max_mm) or as a share of the height (min_share/max_share)".into(),
                ));
            }
            for (k, v) in [("min_share", x.min_share), ("max_share", x.max_share)] {
                if v.is_some_and(|v| v > 1.0) {
                    return Err(problem(
                        "rules.eye_line",
                        k,
                        "a share must be at most 1".into(),
                    ));
                }
            }
        }
        if let Some(x) = &r.file_size {
            range(
                "rules.file_size",
                "min_kb",
                Some(x.min_kb),
                "max_kb",
                Some(x.max_kb),
            )?;
        }
        if let Some(p) = &r.image_pixels {
            let t = "rules.image_pixels";
            let all = [
                p.width_px,
                p.height_px,
                p.min_width_px,
                p.max_width_px,
                p.min_height_px,
                p.max_height_px,
            ];
            if all.iter().all(Option::is_none) {
                return Err(problem(
                    t,
                    "width_px",
                    "needs an exact or a minimum/maximum pixel size".into(),
                ));
            }
            if all.contains(&Some(0)) {
                return Err(problem(
                    t,
                    "width_px",
                    "pixel sizes must be at least 1".into(),
                ));
            }
            let f = |v: Option<u32>| v.map(f64::from);
            range(
                t,
                "min_width_px",
                f(p.min_width_px),
                "max_width_px",
                f(p.max_width_px),
            )?;
            range(
                t,
                "min_height_px",
                f(p.min_height_px),
                "max_height_px",
                f(p.max_height_px),
            )?;
            if let (Some(dpi), Some(pw), Some(ph)) = (self.photo.dpi, p.width_px, p.height_px) {
                let (w_mm, h_mm) = (f64::from(pw) * 25.4 / dpi, f64::from(ph) * 25.4 / dpi);
                if (w_mm - w).abs() > 0.5 || (h_mm - h).abs() > 0.5 {
                    return Err(problem(
                        t,
                        "width_px",
                        format!(
                            "{pw}x{ph} px at {dpi} dpi is {w_mm:.1}x{h_mm:.1} mm, not the photo's {w}x{h} mm"
                        ),
                    ));
                }
            }
        }
        if let Some(a) = &r.image_aspect {
            range(
                "rules.image_aspect",
                "tolerance",
                Some(a.tolerance),
                "tolerance",
                None,
            )?;
        }
        if let Some(c) = &r.head_centred {
            range(
                "rules.head_centred",
                "max_offset_frac",
                Some(c.max_offset_frac),
                "max_offset_frac",
                None,
            )?;
        }
        if let Some(c) = &r.background_colour {
            if c.colours.is_empty() {
                return Err(problem(
                    "rules.background_colour",
                    "colours",
                    "needs at least one colour".into(),
                ));
            }
            for col in &c.colours {
                positive("rules.background_colour", "colours", col.max_delta_e)?;
            }
        }
        if let Some(u) = &r.background_uniform {
            positive("rules.background_uniform", "max_delta_e", u.max_delta_e)?;
            range(
                "rules.background_uniform",
                "max_share",
                Some(u.max_share),
                "max_share",
                Some(1.0),
            )?;
        }
        if let Some(p) = &r.pose {
            positive("rules.pose", "max_yaw_deg", p.max_yaw_deg)?;
            positive("rules.pose", "max_pitch_deg", p.max_pitch_deg)?;
            positive("rules.pose", "max_roll_deg", p.max_roll_deg)?;
        }
        if let Some(t) = &r.taken_recently {
            positive("rules.taken_recently", "max_age_months", t.max_age_months)?;
        }
        Ok(())
    }

    /// The spec as TOML text (for `photocheck specs show`).
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }
}

/// The embedded TOML text of a preset by id or alias: (file name, text).
fn preset_text(id: &str) -> Option<(&'static str, &'static str)> {
    PRESETS.iter().copied().find(|(_, text)| {
        let Ok(t) = toml::from_str::<toml::Table>(text) else {
            return false;
        };
        t.get("id").and_then(|v| v.as_str()) == Some(id)
            || t.get("aliases")
                .and_then(|v| v.as_array())
                .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(id)))
    })
}

fn unknown_spec(id: &str) -> String {
    let ids: Vec<String> = Spec::presets().into_iter().map(|s| s.id).collect();
    format!("unknown spec `{id}`; known: {}", ids.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses_and_is_consistent() {
        let presets = Spec::presets();
        assert_eq!(presets.len(), PRESETS.len());
        let mut ids = std::collections::HashSet::new();
        for s in &presets {
            assert!(ids.insert(s.id.clone()), "duplicate id {}", s.id);
            assert!(!s.sources.is_empty(), "{} cites no source", s.id);
            // The preset resolves by id and by each alias, and round-trips through TOML.
            assert_eq!(Spec::preset(&s.id).unwrap(), *s);
            for a in &s.aliases {
                assert_eq!(Spec::preset(a).unwrap().id, s.id, "alias {a}");
            }
            assert_eq!(Spec::from_toml(&s.to_toml(), "shown").unwrap(), *s);
            // Exact pixel sizes agree with mm at the pinned DPI (to 0.5 mm).
            let pixels = s.rules.image_pixels.as_ref();
            let exact = pixels.and_then(|p| Some((p.width_px?, p.height_px?)));
            if let (Some(dpi), Some((w, h))) = (s.photo.dpi, exact) {
                let (w_mm, h_mm) = (f64::from(w) * 25.4 / dpi, f64::from(h) * 25.4 / dpi);
                assert!((w_mm - s.photo.width_mm).abs() < 0.5, "{}", s.id);
                assert!((h_mm - s.photo.height_mm).abs() < 0.5, "{}", s.id);
            }
            // Head and margins fit inside the photo.
            let r = &s.rules;
            let crown = r.crown_margin.as_ref().map_or(0.0, |c| c.min_mm);
            let chin = r.chin_margin.as_ref().and_then(|c| c.min_mm).unwrap_or(0.0);
            let head = r.head_length.as_ref().map_or(0.0, |h| h.min_mm);
            assert!(
                crown + head + chin <= s.photo.height_mm,
                "{}: head does not fit",
                s.id
            );
            if let Some(w) = &r.head_width {
                assert!(w.max_mm <= s.photo.width_mm, "{}", s.id);
            }
            // Every rule names its source.
            let shown = s.to_toml();
            let rules = shown.matches("\n[rules.").count();
            let sourced = shown.matches("\nsource = ").count();
            assert_eq!(rules, sourced, "{}: a rule without a source", s.id);
        }
    }

    #[test]
    fn aliases_resolve_and_unknown_ids_list_the_known() {
        assert_eq!(Spec::preset("小一寸").unwrap().id, "cn-driving-licence");
        let e = Spec::preset("nope").unwrap_err().to_string();
        assert!(
            e.contains("cn-passport") && e.contains("us-passport"),
            "{e}"
        );
    }

    #[test]
    fn extends_overrides_single_rules() {
        let text = "id = \"studio\"\nname = \"Studio variant\"\nextends = \"cn-driving-licence\"\n\n[rules.head_length]\nmin_mm = 20.0\nmax_mm = 21.0\n";
        let s = Spec::from_toml(text, "studio.toml").unwrap();
        let base = Spec::preset("cn-driving-licence").unwrap();
        assert_eq!(s.id, "studio");
        let hl = s.rules.head_length.as_ref().unwrap();
        assert_eq!((hl.min_mm, hl.max_mm), (20.0, 21.0));
        // Keys not given in the table are inherited from the preset's table.
        assert_eq!(hl.source, base.rules.head_length.as_ref().unwrap().source);
        assert_eq!(s.rules.head_width, base.rules.head_width);
        assert_eq!(s.photo, base.photo);
        assert!(s.aliases.is_empty(), "aliases are not inherited");
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let check = |text: &str, want: &[&str]| {
            let e = Spec::from_toml(text, "my.toml").unwrap_err().to_string();
            for w in want {
                assert!(e.contains(w), "`{e}` lacks `{w}`");
            }
        };
        let head = "id = \"x\"\nname = \"x\"\nextends = \"cn-driving-licence\"\n";
        // Impossible range.
        check(
            &format!("{head}[rules.head_length]\nmin_mm = 23.0\nmax_mm = 21.0\n"),
            &["my.toml", "line 5", "rules.head_length.min_mm"],
        );
        // Unknown key.
        check(
            &format!("{head}[rules.head_length]\nminimum_mm = 19.0\n"),
            &["my.toml", "line 5", "minimum_mm"],
        );
        // Unknown rule.
        check(
            &format!("{head}[rules.head_size]\nmin_mm = 1\n"),
            &["line 4", "head_size"],
        );
        // Negative size.
        check(
            &format!("{head}[photo]\nwidth_mm = -22.0\n"),
            &["line 5", "photo.width_mm", "positive"],
        );
        // Pixel size that disagrees with mm x DPI.
        check(
            &format!(
                "{head}[photo]\ndpi = 300.0\n[rules.image_pixels]\nwidth_px = 300\nheight_px = 378\n"
            ),
            &["line 7", "rules.image_pixels.width_px", "mm"],
        );
        // Missing required field (no extends).
        check("id = \"x\"\nname = \"x\"\n", &["my.toml", "photo"]);
        // Syntax error.
        check("id = \"x\"\nname = \n", &["my.toml", "line 2"]);
        // Unknown parent.
        check(
            "id = \"x\"\nextends = \"nope\"\n",
            &["line 2", "unknown spec `nope`"],
        );
    }
}
