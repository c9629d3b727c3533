//! File rules: container format, file size, photo age (the 交管12123 / archive digital photo
//! rules; GA 482-2012 5.2.3: a recent photo, within 6 months).

use serde::{Deserialize, Serialize};

use super::rule::{Check, CheckName, Problem, Repair, positive, range};
use super::{CheckInput, CheckResult, Status, outcome, range_check};
use crate::analysis::Stages;
use crate::spec::{PhotoSize, Severity, Spec};

/// `[rules.file_format]`: allowed container formats (`jpeg`, `png`, ...), recognised from the
/// content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileFormat {
    /// Allowed formats, lower case.
    pub formats: Vec<String>,
}

impl Check for FileFormat {
    const TABLE: &'static str = "file_format";
    const IDS: &'static [CheckName] = &[CheckName {
        id: "file_format",
        zh: "文件格式",
        fix_zh: "请另存为规定的文件格式（如 JPEG）",
        fix_en: "save the photo in the format the spec asks for (JPEG)",
        fix_repairs: Repair::Yes,
    }];
    const STAGES: Stages = Stages::NONE;

    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult> {
        let format = &input.analysis.facts.format;
        let ok = self.formats.iter().any(|f| f.eq_ignore_ascii_case(format));
        vec![CheckResult {
            id: Self::TABLE.into(),
            status: outcome(ok, severity),
            severity,
            value: None,
            unit: "format".into(),
            min: None,
            max: None,
            message: format!("file format {format} (allowed {})", self.formats.join(", ")),
            spec_source: None,
            advice: None,
        }]
    }

    fn summary(&self, _spec: &Spec) -> Option<String> {
        Some(format!("file {}", self.formats.join("/")))
    }
}

/// `[rules.file_size]`: file size in KB (1 KB = 1024 bytes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSize {
    /// Smallest allowed size, KB (1 KB = 1024 bytes).
    pub min_kb: f64,
    /// Largest allowed size, KB (1 KB = 1024 bytes).
    pub max_kb: f64,
}

impl Check for FileSize {
    const TABLE: &'static str = "file_size";
    const IDS: &'static [CheckName] = &[CheckName {
        id: "file_size",
        zh: "文件大小",
        fix_zh: "请调整压缩质量，使文件大小符合要求",
        fix_en: "save the photo with a compression quality that brings the file into the allowed size",
        fix_repairs: Repair::Yes,
    }];
    const STAGES: Stages = Stages::NONE;

    fn validate(&self, _photo: &PhotoSize) -> Result<(), Problem> {
        range("min_kb", Some(self.min_kb), "max_kb", Some(self.max_kb))
    }

    /// bytes / 1024 against the range.
    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult> {
        vec![range_check(
            Self::TABLE,
            severity,
            Some(input.analysis.facts.bytes as f64 / 1024.0),
            "KB",
            Some(self.min_kb),
            Some(self.max_kb),
            "file size",
        )]
    }

    fn summary(&self, _spec: &Spec) -> Option<String> {
        Some(format!("file size {}-{} KB", self.min_kb, self.max_kb))
    }
}

/// `[rules.taken_recently]`: age of the photo from its EXIF capture date, in days; skipped
/// without one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TakenRecently {
    /// Oldest allowed photo, in months (1 month = 30.44 days).
    pub max_age_months: f64,
}

impl Check for TakenRecently {
    const TABLE: &'static str = "taken_recently";
    const IDS: &'static [CheckName] = &[CheckName {
        id: "taken_recently",
        zh: "近期照片",
        fix_zh: "请使用近期（6 个月内）拍摄的照片",
        fix_en: "use a photo taken recently (within the period the spec allows)",
        fix_repairs: Repair::No,
    }];
    const STAGES: Stages = Stages::NONE;

    fn validate(&self, _photo: &PhotoSize) -> Result<(), Problem> {
        positive("max_age_months", self.max_age_months)
    }

    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult> {
        let max_days = self.max_age_months * 30.44;
        let date = input
            .analysis
            .facts
            .capture_date
            .as_deref()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d.get(..10)?, "%Y-%m-%d").ok());
        vec![match date {
            None => CheckResult {
                id: Self::TABLE.into(),
                status: Status::Skipped,
                severity,
                value: None,
                unit: "days".into(),
                min: None,
                max: Some(max_days.round()),
                message: "no EXIF capture date; photo age not checked".into(),
                spec_source: None,
                advice: None,
            },
            Some(d) => {
                let days = (input.today - d).num_days() as f64;
                let mut r = range_check(
                    Self::TABLE,
                    severity,
                    Some(days),
                    "days",
                    None,
                    Some(max_days.round()),
                    "photo age",
                );
                r.message = format!("{} (EXIF capture date {d})", r.message);
                r
            }
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{analysis, status_of};
    use crate::checks::Status;
    use crate::spec::Spec;

    #[test]
    fn format_size_and_age() {
        let spec = Spec::preset("cn-driving-licence-digital").unwrap();
        let mut a = analysis(15.0, 255.0, 130.0, [40.0, 220.0]);
        assert_eq!(status_of(&a, &spec, "file_format"), Status::Pass);
        assert_eq!(status_of(&a, &spec, "file_size"), Status::Pass);
        assert_eq!(status_of(&a, &spec, "taken_recently"), Status::Pass);
        a.facts.bytes = 31 * 1024;
        assert_eq!(status_of(&a, &spec, "file_size"), Status::Fail);
        a.facts.format = "png".into();
        assert_eq!(status_of(&a, &spec, "file_format"), Status::Fail);
        a.facts.capture_date = Some("2025-11-01T00:00:00".into());
        assert_eq!(status_of(&a, &spec, "taken_recently"), Status::Fail);
        a.facts.capture_date = None;
        assert_eq!(status_of(&a, &spec, "taken_recently"), Status::Skipped);
    }
}
