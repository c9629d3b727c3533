//! Reports: plain data (serde) and the reporters that format them. Reporters only format;
//! they never measure.

pub mod annotate;
mod csv;
mod json;
mod junit;
pub mod lang;
mod text;

use serde::{Deserialize, Serialize};

use crate::checks::{CheckResult, Measurements};
use crate::decode::ImageFacts;

pub use csv::{CsvLayout, CsvReporter};
pub use json::{JsonReporter, NdjsonReporter};
pub use junit::JunitReporter;
pub use lang::Lang;
pub use text::{TextReporter, summary_line};

/// Version of the JSON report contract; bumped on any breaking change.
pub const SCHEMA_VERSION: u32 = 1;

/// Overall verdict for one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every `error`-severity rule passed.
    Pass,
    /// At least one `error`-severity rule failed or could not be measured.
    Fail,
    /// The file could not be checked (see `error`).
    Error,
}

/// Why a file could not be checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorInfo {
    /// Stable code ([`crate::Error::kind`]), e.g. `not_an_image`, `truncated`, `too_large`.
    pub kind: crate::ErrorKind,
    /// Human message naming the cause.
    pub message: String,
}

/// The result for one input file (DESIGN.md's JSON contract).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileReport {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The file as given (path or label).
    pub file: String,
    /// Spec id.
    pub spec: String,
    /// Overall verdict.
    pub verdict: Verdict,
    /// Set when `verdict` is `error`.
    pub error: Option<ErrorInfo>,
    /// File facts, when the file decoded.
    pub image: Option<ImageFacts>,
    /// Measurements in the spec's units, when the file decoded.
    pub measurements: Option<Measurements>,
    /// One result per rule of the spec, in a stable order.
    pub checks: Vec<CheckResult>,
    /// With `--expect`: whether the report matches the photo's expectation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expectation: Option<crate::expect::ExpectationOutcome>,
}

impl FileReport {
    /// A report for a file that could not be checked.
    pub fn from_error(file: &str, spec: &str, err: &crate::Error) -> FileReport {
        FileReport {
            schema_version: SCHEMA_VERSION,
            file: file.into(),
            spec: spec.into(),
            verdict: Verdict::Error,
            error: Some(ErrorInfo {
                kind: err.kind(),
                message: err.to_string(),
            }),
            image: None,
            measurements: None,
            checks: Vec::new(),
            expectation: None,
        }
    }

    /// The checks that make the photo fail.
    pub fn failed_checks(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks.iter().filter(|c| c.fails_photo())
    }
}

/// The key of [`Summary::failed_rules`] counting photos with no face.
pub const NO_FACE: &str = "no_face";

/// Counts over a batch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Files reported.
    pub checked: usize,
    /// Files whose verdict is pass.
    pub passed: usize,
    /// Files whose verdict is fail.
    pub failed: usize,
    /// Files that could not be checked.
    pub errors: usize,
    /// Wall-clock time of the batch, seconds.
    pub elapsed_s: f64,
    /// Per check id, how many photos it made fail (failed or not measured, severity error);
    /// a photo with no face counts once under [`NO_FACE`] instead of under every rule it
    /// could not measure.
    pub failed_rules: std::collections::BTreeMap<String, usize>,
    /// Per error kind, how many files could not be checked.
    pub error_kinds: std::collections::BTreeMap<String, usize>,
}

impl Summary {
    /// Adds one report to the counts.
    pub fn add(&mut self, r: &FileReport) {
        self.checked += 1;
        match r.verdict {
            Verdict::Pass => self.passed += 1,
            Verdict::Fail => self.failed += 1,
            Verdict::Error => self.errors += 1,
        }
        // A photo with no face fails every rule that needs one: counted once, as `no_face`,
        // so that it does not drown the rules that really fail.
        if r.measurements.as_ref().is_some_and(|m| m.faces == 0) && r.verdict == Verdict::Fail {
            *self.failed_rules.entry(NO_FACE.to_string()).or_default() += 1;
            for c in r
                .failed_checks()
                .filter(|c| c.status != crate::checks::Status::NotMeasured && c.id != "single_face")
            {
                *self.failed_rules.entry(c.id.clone()).or_default() += 1;
            }
        } else {
            for c in r.failed_checks() {
                *self.failed_rules.entry(c.id.clone()).or_default() += 1;
            }
        }
        if let Some(e) = &r.error {
            *self.error_kinds.entry(e.kind.to_string()).or_default() += 1;
        }
    }

    /// Failed rules, most frequent first: `[("head_length", 37), ...]`.
    pub fn failed_rules_by_count(&self) -> Vec<(&str, usize)> {
        let mut v: Vec<(&str, usize)> = self
            .failed_rules
            .iter()
            .map(|(k, n)| (k.as_str(), *n))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v
    }
}

/// A reporter receives each file's report in input order, then the batch summary.
pub trait Reporter {
    /// Writes one file's report.
    fn report(&mut self, report: &FileReport) -> std::io::Result<()>;
    /// Writes whatever closes the output (a summary line, a closing bracket).
    fn finish(&mut self, summary: &Summary) -> std::io::Result<()>;
}
