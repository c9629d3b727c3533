//! Expected verdicts for fixture regression (`photocheck check --expect FILE`).
//!
//! A team lists per photo the expected verdict and, optionally, rule statuses; photocheck
//! compares each report with its expectation. TOML:
//!
//! ```toml
//! [[photo]]
//! file = "made/astronaut_licence.jpg"   # relative to the expectations file, or as given
//! verdict = "pass"                      # pass | fail | error
//! pass = ["head_length", "crown_margin"] # these rules must pass
//! fail = ["pose_pitch"]                 # these must fail (or be not measured)
//! [photo.checks]                        # exact statuses, when needed
//! taken_recently = "skipped"
//! [photo.values]                        # measured values within a tolerance
//! head_length_mm = { value = 20.5, tolerance = 0.3 }   # a measurement (see `measurements`)
//! pose_roll = { value = 3.3, tolerance = 1.0 }         # or a check's value, in its unit
//! ```
//!
//! The same structure as JSON (`{"photo": [{"file": ..., "verdict": ...}]}`) is accepted.
//! Check ids and value names are checked when the file is read: a misspelt one is an error
//! naming the line and column and the closest valid name. [`Expectations::baseline`] writes
//! such a file from a run (`check --write-expect FILE`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::checks::Status;
use crate::error::{Error, Result};
use crate::report::{FileReport, Verdict};

/// One photo's expectation.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// The photo, relative to the expectations file's folder (or as passed to photocheck).
    pub file: String,
    /// Expected verdict.
    #[serde(default)]
    pub verdict: Option<Verdict>,
    /// Rules that must pass.
    #[serde(default)]
    pub pass: Vec<String>,
    /// Rules that must fail (status `fail` or `not_measured`).
    #[serde(default)]
    pub fail: Vec<String>,
    /// Exact statuses per rule.
    #[serde(default)]
    pub checks: BTreeMap<String, Status>,
    /// Values within a tolerance: a measurement's name (`head_length_mm`, a key of the
    /// report's `measurements`) or a check id (its `value`, in the check's unit).
    #[serde(default)]
    pub values: BTreeMap<String, Tolerance>,
}

/// An expected value and how far the measured one may be from it (same unit).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tolerance {
    /// The expected value.
    pub value: f64,
    /// The largest allowed |measured - value|.
    pub tolerance: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectationFile {
    photo: Vec<Expectation>,
}

/// The outcome of comparing one report with its expectation (added to the report as
/// `expectation`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectationOutcome {
    /// True when the report matches the expectation.
    pub met: bool,
    /// One line per mismatch, e.g. `head_length: expected pass, got fail (17.2 mm)`.
    pub mismatches: Vec<String>,
}

/// A set of expectations, looked up by photo path.
#[derive(Debug, Clone, Default)]
pub struct Expectations {
    /// (normalised path, the path as the batch names it, expectation)
    entries: Vec<(PathBuf, PathBuf, Expectation)>,
}

/// The numeric measurement names of a report (`head_length_mm`, `yaw_deg`, ...).
fn measurement_names() -> Vec<String> {
    let probe = crate::checks::Measurements {
        face_presence: Some(0.0),
        crown_y_px: Some(0.0),
        chin_y_px: Some(0.0),
        head_length_px: Some(0.0),
        head_length_mm: Some(0.0),
        skull_top_y_px: Some(0.0),
        head_length_skull_mm: Some(0.0),
        head_width_ears_mm: Some(0.0),
        head_width_ear_level_mm: Some(0.0),
        head_width_ear_roots_mm: Some(0.0),
        head_width_silhouette_mm: Some(0.0),
        bottom_person_width_faces: Some(0.0),
        crown_margin_mm: Some(0.0),
        chin_margin_mm: Some(0.0),
        eye_line_from_bottom_mm: Some(0.0),
        face_centre_offset: Some(0.0),
        eye_line_y_px: Some(0.0),
        ipd_px: Some(0.0),
        yaw_deg: Some(0.0),
        pitch_deg: Some(0.0),
        roll_deg: Some(0.0),
        background_lightness: Some(0.0),
        background_chroma: Some(0.0),
        ..Default::default()
    };
    match serde_json::to_value(probe) {
        Ok(serde_json::Value::Object(m)) => m
            .into_iter()
            .filter(|(_, v)| v.is_number())
            .map(|(k, _)| k)
            .collect(),
        _ => Vec::new(),
    }
}

/// The valid name closest to `name` (by edit distance), for "did you mean".
fn closest<'a>(name: &str, valid: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    valid
        .map(|v| (strsim::levenshtein(name, v), v))
        .min()
        .filter(|(d, v)| *d <= 3.max(v.len() / 3))
        .map(|(_, v)| v)
}

/// Line and column (1-based) of the first `"needle"` (quoted) or bare `needle =` in `text`.
fn locate(text: &str, needle: &str) -> Option<(usize, usize)> {
    let at = text
        .find(&format!("\"{needle}\""))
        .map(|i| i + 1)
        .or_else(|| {
            text.match_indices(needle).map(|(i, _)| i).find(|&i| {
                let before = text[..i].chars().next_back();
                let after = text[i + needle.len()..].trim_start();
                before.is_none_or(|c| c.is_whitespace() || c == '{' || c == ',')
                    && (after.starts_with('=') || after.starts_with(':'))
            })
        })?;
    let line = text[..at].matches('\n').count() + 1;
    let col = at - text[..at].rfind('\n').map_or(0, |n| n + 1) + 1;
    Some((line, col))
}

fn normal(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| {
        p.components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .collect()
    })
}

impl Expectations {
    /// Reads an expectations file (TOML, or JSON when it starts with `{`), checking every
    /// check id and value name in it.
    ///
    /// Errors: [`Error::NotFound`]/[`Error::Io`] for the file, [`Error::Expectation`] for its
    /// content: the file, line and column, and for a misspelt name the closest valid one.
    pub fn from_file(path: &Path) -> Result<Expectations> {
        let bytes = crate::input::read_file(path)?;
        let text = String::from_utf8_lossy(&bytes);
        Expectations::from_text(&text, path)
    }

    /// Reads expectations from `text`, as [`Expectations::from_file`] would from a file at
    /// `path` (which names it in errors and is the base of relative `file` entries).
    ///
    /// Errors: [`Error::Expectation`], as [`Expectations::from_file`].
    pub fn from_text(text: &str, path: &Path) -> Result<Expectations> {
        let name = path.display();
        let parsed: ExpectationFile = if text.trim_start().starts_with('{') {
            serde_json::from_str(text).map_err(|e| {
                Error::Expectation(format!(
                    "{name}, line {}, column {}: {e}",
                    e.line(),
                    e.column()
                ))
            })?
        } else {
            toml::from_str(text).map_err(|e| {
                let at = e
                    .span()
                    .map(|r| {
                        let line = text[..r.start].matches('\n').count() + 1;
                        let col = r.start - text[..r.start].rfind('\n').map_or(0, |n| n + 1) + 1;
                        format!(", line {line}, column {col}")
                    })
                    .unwrap_or_default();
                Error::Expectation(format!("{name}{at}: {}", e.message()))
            })?
        };
        // Every check id and value name must be one photocheck reports.
        let ids: Vec<&str> = crate::checks::all_check_ids().collect();
        let measures = measurement_names();
        for e in &parsed.photo {
            let checks = e.pass.iter().chain(&e.fail).chain(e.checks.keys());
            for id in checks {
                if !ids.contains(&id.as_str()) {
                    return Err(unknown(&name, text, id, "check id", ids.iter().copied()));
                }
            }
            for key in e.values.keys() {
                if !ids.contains(&key.as_str()) && !measures.contains(key) {
                    let valid = ids
                        .iter()
                        .copied()
                        .chain(measures.iter().map(String::as_str));
                    return Err(unknown(&name, text, key, "value name", valid));
                }
            }
        }
        let base = path.parent().unwrap_or(Path::new("."));
        Ok(Expectations {
            entries: parsed
                .photo
                .into_iter()
                .map(|e| {
                    let joined: PathBuf = base
                        .join(&e.file)
                        .components()
                        .filter(|c| !matches!(c, std::path::Component::CurDir))
                        .collect();
                    let full = normal(&joined);
                    // As a batch run from here names it: relative to the current folder when
                    // below it (what `--shard` hashes), else as joined.
                    let given = std::env::current_dir()
                        .ok()
                        .and_then(|cwd| full.strip_prefix(normal(&cwd)).ok().map(Path::to_path_buf))
                        .unwrap_or(joined);
                    (full, given, e)
                })
                .collect(),
        })
    }

    /// Number of photos with an expectation.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no photo has an expectation.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn find(&self, file: &str) -> Option<&Expectation> {
        let p = normal(Path::new(file));
        self.entries
            .iter()
            .find(|(path, _, _)| *path == p)
            .or_else(|| {
                self.entries
                    .iter()
                    .find(|(_, _, e)| file.ends_with(&e.file))
            })
            .map(|(_, _, e)| e)
    }

    /// Compares a report with its photo's expectation; `None` when the photo has none.
    pub fn compare(&self, report: &FileReport) -> Option<ExpectationOutcome> {
        let e = self.find(&report.file)?;
        let mut mismatches = Vec::new();
        let name = |v: Verdict| match v {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Error => "error",
        };
        if let Some(v) = e.verdict.filter(|v| *v != report.verdict) {
            mismatches.push(format!(
                "verdict: expected {}, got {}",
                name(v),
                name(report.verdict)
            ));
        }
        let status_of = |id: &str| report.checks.iter().find(|c| c.id == id);
        let word = |s: Status| {
            serde_json::to_value(s)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        };
        let mut want = |id: &str, ok: &dyn Fn(Status) -> bool, expected: &str| match status_of(id) {
            None => mismatches.push(format!(
                "{id}: expected {expected}, but the spec has no such check"
            )),
            Some(c) if !ok(c.status) => mismatches.push(format!(
                "{id}: expected {expected}, got {} ({})",
                word(c.status),
                c.message
            )),
            Some(_) => {}
        };
        for id in &e.pass {
            want(id, &|s| s == Status::Pass, "pass");
        }
        for id in &e.fail {
            want(
                id,
                &|s| matches!(s, Status::Fail | Status::NotMeasured),
                "fail",
            );
        }
        for (id, s) in &e.checks {
            let s = *s;
            want(id, &|got| got == s, &word(s));
        }
        let measured = report
            .measurements
            .as_ref()
            .and_then(|m| serde_json::to_value(m).ok());
        for (key, t) in &e.values {
            let value = status_of(key).and_then(|c| c.value).or_else(|| {
                measured
                    .as_ref()
                    .and_then(|m| m.get(key))
                    .and_then(serde_json::Value::as_f64)
            });
            match value {
                None => mismatches.push(format!(
                    "{key}: expected {} ± {}, but it was not measured",
                    crate::checks::fmt(t.value),
                    crate::checks::fmt(t.tolerance)
                )),
                Some(v) if (v - t.value).abs() > t.tolerance + 1e-9 => mismatches.push(format!(
                    "{key}: expected {} ± {}, got {} (off by {})",
                    crate::checks::fmt(t.value),
                    crate::checks::fmt(t.tolerance),
                    crate::checks::fmt(v),
                    crate::checks::fmt((v - t.value).abs())
                )),
                Some(_) => {}
            }
        }
        Some(ExpectationOutcome {
            met: mismatches.is_empty(),
            mismatches,
        })
    }

    /// Photos with an expectation that are not among `seen` report files.
    pub fn missing<'a>(&'a self, seen: &[String]) -> Vec<&'a str> {
        self.missing_of(seen, |_| true)
    }

    /// As [`Expectations::missing`], among the expected photos whose path (as the batch
    /// would name it: the expectations file's folder joined with `file`) `belongs` to this
    /// run (for `--shard`, those of the shard).
    pub fn missing_of<'a>(
        &'a self,
        seen: &[String],
        belongs: impl Fn(&Path) -> bool,
    ) -> Vec<&'a str> {
        let seen: Vec<PathBuf> = seen.iter().map(|s| normal(Path::new(s))).collect();
        self.entries
            .iter()
            .filter(|(_, given, _)| belongs(given))
            .filter(|(p, _, e)| {
                !seen.iter().any(|s| s == p) && !seen.iter().any(|s| s.ends_with(&e.file))
            })
            .map(|(_, _, e)| e.file.as_str())
            .collect()
    }

    /// How many expected photos `belong` to this run (see [`Expectations::missing_of`]).
    pub fn count_of(&self, belongs: impl Fn(&Path) -> bool) -> usize {
        self.entries.iter().filter(|(_, g, _)| belongs(g)).count()
    }

    /// A baseline expectations file (TOML) from a run's reports: per photo its verdict, the
    /// rules that pass and fail, and its head length, head width and crown margin within
    /// `tolerance_mm`. Files are written relative to `base` (the new file's folder) when
    /// they are below it. Photos that could not be checked get their verdict only.
    pub fn baseline(reports: &[FileReport], base: &Path, tolerance_mm: f64) -> String {
        let base = normal(base);
        let mut out = String::from(
            "# Expected results written by `photocheck check --write-expect` from a run:\n# review, then keep under version control and check with `--expect`.\n",
        );
        for r in reports {
            let path = normal(Path::new(&r.file));
            // Relative to the file's folder when below it, else absolute (a path relative to
            // the current folder would be read relative to the file's folder).
            let file = path
                .strip_prefix(&base)
                .map_or_else(|_| path.display().to_string(), |p| p.display().to_string());
            let verdict = match r.verdict {
                Verdict::Pass => "pass",
                Verdict::Fail => "fail",
                Verdict::Error => "error",
            };
            let list = |want: &dyn Fn(Status) -> bool| {
                let ids: Vec<String> = r
                    .checks
                    .iter()
                    .filter(|c| want(c.status))
                    .map(|c| format!("{:?}", c.id))
                    .collect();
                ids.join(", ")
            };
            out.push_str(&format!(
                "\n[[photo]]\nfile = {file:?}\nverdict = \"{verdict}\"\npass = [{}]\nfail = [{}]\n",
                list(&|s| s == Status::Pass),
                list(&|s| matches!(s, Status::Fail | Status::NotMeasured)),
            ));
            let m = r.measurements.as_ref();
            let values: Vec<String> = [
                ("head_length_mm", m.and_then(|m| m.head_length_mm)),
                ("head_width_ears_mm", m.and_then(|m| m.head_width_ears_mm)),
                ("crown_margin_mm", m.and_then(|m| m.crown_margin_mm)),
            ]
            .into_iter()
            .filter_map(|(k, v)| {
                v.map(|v| format!("{k} = {{ value = {:.2}, tolerance = {tolerance_mm} }}", v))
            })
            .collect();
            if !values.is_empty() {
                out.push_str(&format!("[photo.values]\n{}\n", values.join("\n")));
            }
        }
        out
    }
}

/// The error for a name that is not a check id (or value name), with where it is and the
/// closest valid one.
fn unknown<'a>(
    file: &impl std::fmt::Display,
    text: &str,
    name: &str,
    what: &str,
    valid: impl Iterator<Item = &'a str>,
) -> Error {
    let at = locate(text, name).map_or(String::new(), |(l, c)| format!(", line {l}, column {c}"));
    let hint = closest(name, valid).map_or(String::new(), |v| format!("; did you mean `{v}`?"));
    Error::Expectation(format!("{file}{at}: unknown {what} `{name}`{hint}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Expectations> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("expected.toml");
        std::fs::write(&path, text).unwrap();
        Expectations::from_file(&path)
    }

    #[test]
    fn a_misspelt_check_id_is_refused_with_its_place_and_the_closest_id() {
        let e = load("[[photo]]\nfile = \"a.jpg\"\nfail = [\"hed_length\"]\n").unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("expectation file"), "{msg}");
        assert!(msg.contains("line 3, column 10"), "{msg}");
        assert!(msg.contains("did you mean `head_length`"), "{msg}");
        let e = load("[[photo]]\nfile = \"a.jpg\"\n[photo.values]\nhead_lenght_mm = { value = 20, tolerance = 1 }\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 4, column 1") && e.contains("`head_length_mm`"),
            "{e}"
        );
        let e = load("[[photo]]\nfile = \"a.jpg\"\nverdict = \"maybe\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("expectation file") && e.contains("line 3"),
            "{e}"
        );
    }

    #[test]
    fn values_within_a_tolerance() {
        let exp = load("[[photo]]\nfile = \"a.jpg\"\n[photo.values]\nhead_length_mm = { value = 20.5, tolerance = 0.3 }\n").unwrap();
        let mut report = FileReport::from_error("a.jpg", "x", &Error::Internal("-".into()));
        report.verdict = Verdict::Pass;
        report.error = None;
        report.measurements = Some(crate::checks::Measurements {
            head_length_mm: Some(20.7),
            ..Default::default()
        });
        assert!(exp.compare(&report).unwrap().met);
        report.measurements.as_mut().unwrap().head_length_mm = Some(20.9);
        let o = exp.compare(&report).unwrap();
        assert!(!o.met);
        assert!(
            o.mismatches[0].contains("expected 20.5 ± 0.3, got 20.9"),
            "{:?}",
            o.mismatches
        );
    }
}
