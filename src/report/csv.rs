//! CSV reporter (`--format csv`): one row per photo with stable columns ([`CsvLayout::Wide`]),
//! or one row per check ([`CsvLayout::Long`], what spreadsheets pivot); optionally with a
//! UTF-8 byte-order mark so that spreadsheet programs read the Chinese and `ΔE` right.

use std::io::Write;

use super::{FileReport, Reporter, Summary, Verdict};

/// The shape of a CSV report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvLayout {
    /// One row per photo: `file, verdict, error_kind, error`, then `<check>_status`,
    /// `<check>_value` per check id.
    #[default]
    Wide,
    /// One row per photo and check: `file, verdict, check, status, severity, value, unit,
    /// min, max, message, advice` (a photo that could not be checked has one row, its check
    /// empty and its error in `message`).
    Long,
}

/// Writes the CSV report. The wide layout's check columns are the spec's checks in their
/// stable order (see [`crate::checks::check_ids`]), so every row of a batch has the same
/// columns.
pub struct CsvReporter<W: Write> {
    out: csv::Writer<W>,
    ids: Vec<String>,
    layout: CsvLayout,
}

impl<W: Write> CsvReporter<W> {
    /// A wide reporter writing to `out` for a spec whose check ids are `ids`; writes the
    /// header.
    pub fn new(out: W, ids: Vec<String>) -> std::io::Result<Self> {
        Self::with_layout(out, ids, CsvLayout::Wide, false)
    }

    /// A reporter of `layout`, starting with a UTF-8 byte-order mark when `bom`; writes the
    /// header.
    pub fn with_layout(
        mut out: W,
        ids: Vec<String>,
        layout: CsvLayout,
        bom: bool,
    ) -> std::io::Result<Self> {
        if bom {
            out.write_all("\u{feff}".as_bytes())?;
        }
        let mut out = csv::Writer::from_writer(out);
        let header: Vec<String> = match layout {
            CsvLayout::Wide => {
                let mut header = vec![
                    "file".to_string(),
                    "verdict".into(),
                    "error_kind".into(),
                    "error".into(),
                ];
                for id in &ids {
                    header.push(format!("{id}_status"));
                    header.push(format!("{id}_value"));
                }
                header
            }
            CsvLayout::Long => [
                "file", "verdict", "check", "status", "severity", "value", "unit", "min", "max",
                "message", "advice",
            ]
            .map(String::from)
            .to_vec(),
        };
        out.write_record(&header)?;
        Ok(CsvReporter { out, ids, layout })
    }

    /// One row per check (one row for a photo that could not be checked).
    fn report_long(&mut self, r: &FileReport, verdict: &str) -> std::io::Result<()> {
        let num = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.4}"));
        if let Some(e) = &r.error {
            let row = [
                r.file.as_str(),
                verdict,
                "",
                e.kind.as_str(),
                "",
                "",
                "",
                "",
                "",
                e.message.as_str(),
                "",
            ];
            self.out.write_record(row)?;
        }
        for c in &r.checks {
            let json_word = |v: serde_json::Result<serde_json::Value>| {
                v.ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            };
            let row = [
                r.file.clone(),
                verdict.to_string(),
                c.id.clone(),
                json_word(serde_json::to_value(c.status)),
                json_word(serde_json::to_value(c.severity)),
                num(c.value),
                c.unit.clone(),
                num(c.min),
                num(c.max),
                c.message.clone(),
                c.advice.as_ref().map_or(String::new(), |a| a.en.clone()),
            ];
            self.out.write_record(&row)?;
        }
        self.out.flush()
    }
}

impl<W: Write> Reporter for CsvReporter<W> {
    fn report(&mut self, r: &FileReport) -> std::io::Result<()> {
        let verdict = match r.verdict {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Error => "error",
        };
        if self.layout == CsvLayout::Long {
            return self.report_long(r, verdict);
        }
        let mut row = vec![
            r.file.clone(),
            verdict.to_string(),
            r.error
                .as_ref()
                .map_or(String::new(), |e| e.kind.to_string()),
            r.error
                .as_ref()
                .map_or(String::new(), |e| e.message.clone()),
        ];
        for id in &self.ids {
            match r.checks.iter().find(|c| &c.id == id) {
                Some(c) => {
                    let status = serde_json::to_value(c.status)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default();
                    row.push(status);
                    row.push(c.value.map_or(String::new(), |v| format!("{v:.4}")));
                }
                None => {
                    row.push(String::new());
                    row.push(String::new());
                }
            }
        }
        self.out.write_record(&row)?;
        self.out.flush()
    }

    fn finish(&mut self, _summary: &Summary) -> std::io::Result<()> {
        self.out.flush()
    }
}
