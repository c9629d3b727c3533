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
//! ```
//!
//! The same structure as JSON (`{"photo": [{"file": ..., "verdict": ...}]}`) is accepted.

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
    entries: Vec<(PathBuf, Expectation)>,
}

fn normal(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| {
        p.components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .collect()
    })
}

impl Expectations {
    /// Reads an expectations file (TOML, or JSON when it starts with `{`).
    ///
    /// Errors: [`Error::NotFound`]/[`Error::Io`] for the file, [`Error::Spec`] for its content.
    pub fn from_file(path: &Path) -> Result<Expectations> {
        let bytes = crate::input::read_file(path)?;
        let text = String::from_utf8_lossy(&bytes);
        let parsed: ExpectationFile = if text.trim_start().starts_with('{') {
            serde_json::from_str(&text)
                .map_err(|e| Error::Spec(format!("{}: {e}", path.display())))?
        } else {
            toml::from_str(&text).map_err(|e| Error::Spec(format!("{}: {e}", path.display())))?
        };
        let base = path.parent().unwrap_or(Path::new("."));
        Ok(Expectations {
            entries: parsed
                .photo
                .into_iter()
                .map(|e| (normal(&base.join(&e.file)), e))
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
            .find(|(path, _)| *path == p)
            .or_else(|| self.entries.iter().find(|(_, e)| file.ends_with(&e.file)))
            .map(|(_, e)| e)
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
        Some(ExpectationOutcome {
            met: mismatches.is_empty(),
            mismatches,
        })
    }

    /// Photos with an expectation that are not among `seen` report files.
    pub fn missing<'a>(&'a self, seen: &[String]) -> Vec<&'a str> {
        let seen: Vec<PathBuf> = seen.iter().map(|s| normal(Path::new(s))).collect();
        self.entries
            .iter()
            .filter(|(p, e)| {
                !seen.iter().any(|s| s == p) && !seen.iter().any(|s| s.ends_with(&e.file))
            })
            .map(|(_, e)| e.file.as_str())
            .collect()
    }
}
