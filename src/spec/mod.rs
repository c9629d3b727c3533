//! Specs: a document's photo rules, as data.
//!
//! A spec is a TOML file: the photo's physical size, then one table per rule under
//! `[rules.*]`, named by the stable check id it drives. A rule that a spec leaves out is not
//! checked. Units are explicit in key names (`_mm`, `_px`, `_deg`, `_kb`). Presets are
//! embedded in the binary (`src/spec/presets/*.toml`); every preset cites its sources.

use serde::{Deserialize, Serialize};

use crate::analysis::Stages;
use crate::error::{Error, Result};
mod resolve;

pub use crate::checks::Rules;

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

/// A document's photo rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Stable id, e.g. `cn-driving-licence`.
    pub id: String,
    /// Human name.
    pub name: String,
    /// The spec's name in Simplified Chinese, for Chinese readers (the web page, Chinese
    /// reports); `name` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_zh: Option<String>,
    /// Other names accepted by `--spec` (local names such as `小一寸`).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Where the numbers come from.
    #[serde(default)]
    pub sources: Vec<Source>,
    /// The physical photo.
    pub photo: PhotoSize,
    /// The rules, in report order (see [`crate::checks::CHECKS`]).
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
        let bytes = crate::input::read_file(path)?;
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
        if self.id.trim().is_empty() {
            return Err(problem("", "id", "must not be empty".into()));
        }
        positive("photo", "width_mm", self.photo.width_mm)?;
        positive("photo", "height_mm", self.photo.height_mm)?;
        if let Some(dpi) = self.photo.dpi {
            positive("photo", "dpi", dpi)?;
        }
        for rule in self.rules.iter() {
            rule.validate(&self.photo)
                .map_err(|p| problem(&format!("rules.{}", rule.table()), p.key, p.message))?;
        }
        Ok(())
    }

    /// The analysis stages the spec's rules read, with their prerequisites: what
    /// [`crate::Engine`] runs for this spec.
    pub fn stages(&self) -> Stages {
        self.rules.stages().with_prerequisites()
    }

    /// The spec in a few lines for `photocheck specs`: the photo's size (with the pixel size
    /// and DPI when the spec pins them), then one line per main rule
    /// ([`crate::checks::Check::summary`]).
    pub fn summary(&self) -> Vec<String> {
        let mut px = self
            .rules
            .get::<crate::checks::frame::ImagePixels>()
            .map(|p| p.params.describe())
            .unwrap_or_default();
        if let Some(d) = self.photo.dpi {
            px.push(format!("{d} dpi"));
        }
        let mut lines = vec![format!(
            "photo {} x {} mm{}",
            self.photo.width_mm,
            self.photo.height_mm,
            if px.is_empty() {
                String::new()
            } else {
                format!(" ({})", px.join(", "))
            }
        )];
        // Rules on the person first, then rules on the file (format, size).
        let (file, person): (Vec<_>, Vec<_>) =
            self.rules.iter().partition(|r| r.stages() == Stages::NONE);
        lines.extend(
            person
                .into_iter()
                .chain(file)
                .filter_map(|r| r.summary(self)),
        );
        lines
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
            let pixels = s.rules.get::<crate::checks::frame::ImagePixels>();
            let exact = pixels.and_then(|p| Some((p.params.width_px?, p.params.height_px?)));
            if let (Some(dpi), Some((w, h))) = (s.photo.dpi, exact) {
                let (w_mm, h_mm) = (f64::from(w) * 25.4 / dpi, f64::from(h) * 25.4 / dpi);
                assert!((w_mm - s.photo.width_mm).abs() < 0.5, "{}", s.id);
                assert!((h_mm - s.photo.height_mm).abs() < 0.5, "{}", s.id);
            }
            // Head and margins fit inside the photo.
            let r = &s.rules;
            use crate::checks::head::{ChinMargin, CrownMargin, HeadLength, HeadWidth};
            let crown = r.get::<CrownMargin>().map_or(0.0, |c| c.params.min_mm);
            let chin = r
                .get::<ChinMargin>()
                .and_then(|c| c.params.min_mm)
                .unwrap_or(0.0);
            let head = r.get::<HeadLength>().map_or(0.0, |h| h.params.min_mm);
            assert!(
                crown + head + chin <= s.photo.height_mm,
                "{}: head does not fit",
                s.id
            );
            if let Some(w) = r.get::<HeadWidth>() {
                assert!(w.params.max_mm <= s.photo.width_mm, "{}", s.id);
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
        use crate::checks::head::{HeadLength, HeadWidth};
        let hl = s.rules.get::<HeadLength>().unwrap();
        assert_eq!((hl.params.min_mm, hl.params.max_mm), (20.0, 21.0));
        // Keys not given in the table are inherited from the preset's table.
        assert_eq!(hl.source, base.rules.get::<HeadLength>().unwrap().source);
        assert_eq!(s.rules.get::<HeadWidth>(), base.rules.get::<HeadWidth>());
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
