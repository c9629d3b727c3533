//! File and frame rules: image aspect, pixel size, format, file size, photo age.

use super::{CheckResult, Status, outcome, range_check};
use crate::analysis::Analysis;
use crate::spec::{AspectRule, FileSizeRule, FormatRule, PixelsRule, Spec, TakenRecentlyRule};

/// `image_aspect`: width/height against the spec's `photo.width_mm / photo.height_mm`, within
/// the rule's relative tolerance.
pub(super) fn image_aspect(a: &Analysis, spec: &Spec, rule: &AspectRule) -> CheckResult {
    let want = spec.photo.width_mm / spec.photo.height_mm;
    let got = f64::from(a.facts.width_px) / f64::from(a.facts.height_px.max(1));
    let mut r = range_check(
        "image_aspect",
        rule.severity,
        Some(got),
        "ratio",
        Some(want * (1.0 - rule.tolerance)),
        Some(want * (1.0 + rule.tolerance)),
        "width/height",
    );
    r.message = format!(
        "{} ({}x{} px; the photo is {}:{} mm)",
        r.message, a.facts.width_px, a.facts.height_px, spec.photo.width_mm, spec.photo.height_mm
    );
    r
}

/// `image_pixels`: exact pixel size, or within minimum/maximum sizes. The value is the pixel
/// count (width x height); the message gives both sides.
pub(super) fn image_pixels(a: &Analysis, rule: &PixelsRule) -> CheckResult {
    let (w, h) = (a.facts.width_px, a.facts.height_px);
    let mut wrong = Vec::new();
    let mut side = |name: &str, v: u32, exact: Option<u32>, lo: Option<u32>, hi: Option<u32>| {
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
        rule.width_px,
        rule.min_width_px,
        rule.max_width_px,
    );
    side(
        "height",
        h,
        rule.height_px,
        rule.min_height_px,
        rule.max_height_px,
    );
    let ok = wrong.is_empty();
    CheckResult {
        id: "image_pixels".into(),
        status: outcome(ok, rule.severity),
        severity: rule.severity,
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
    }
}

/// `file_format`: the container format recognised from the content.
pub(super) fn file_format(a: &Analysis, rule: &FormatRule) -> CheckResult {
    let ok = rule
        .formats
        .iter()
        .any(|f| f.eq_ignore_ascii_case(&a.facts.format));
    CheckResult {
        id: "file_format".into(),
        status: outcome(ok, rule.severity),
        severity: rule.severity,
        value: None,
        unit: "format".into(),
        min: None,
        max: None,
        message: format!(
            "file format {} (allowed {})",
            a.facts.format,
            rule.formats.join(", ")
        ),
        spec_source: None,
    }
}

/// `file_size`: bytes / 1024.
pub(super) fn file_size(a: &Analysis, rule: &FileSizeRule) -> CheckResult {
    range_check(
        "file_size",
        rule.severity,
        Some(a.facts.bytes as f64 / 1024.0),
        "KB",
        Some(rule.min_kb),
        Some(rule.max_kb),
        "file size",
    )
}

/// `taken_recently`: days since the EXIF capture date; skipped without one.
pub(super) fn taken_recently(
    a: &Analysis,
    rule: &TakenRecentlyRule,
    today: chrono::NaiveDate,
) -> CheckResult {
    let max_days = rule.max_age_months * 30.44;
    let date = a
        .facts
        .capture_date
        .as_deref()
        .and_then(|d| chrono::NaiveDate::parse_from_str(d.get(..10)?, "%Y-%m-%d").ok());
    match date {
        None => CheckResult {
            id: "taken_recently".into(),
            status: Status::Skipped,
            severity: rule.severity,
            value: None,
            unit: "days".into(),
            min: None,
            max: Some(max_days.round()),
            message: "no EXIF capture date; photo age not checked".into(),
            spec_source: None,
        },
        Some(d) => {
            let days = (today - d).num_days() as f64;
            let mut r = range_check(
                "taken_recently",
                rule.severity,
                Some(days),
                "days",
                None,
                Some(max_days.round()),
                "photo age",
            );
            r.message = format!("{} (EXIF capture date {d})", r.message);
            r
        }
    }
}
