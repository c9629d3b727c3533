//! CSV reporter (`--format csv`): one row per photo, stable columns.

use std::io::Write;

use super::{FileReport, Reporter, Summary, Verdict};

/// Writes `file, verdict, error_kind, error, then <check>_status, <check>_value per check id`.
/// The check columns are the spec's checks in their stable order (see
/// [`crate::checks::check_ids`]), so every row of a batch has the same columns.
pub struct CsvReporter<W: Write> {
    out: csv::Writer<W>,
    ids: Vec<String>,
}

impl<W: Write> CsvReporter<W> {
    /// A reporter writing to `out` for a spec whose check ids are `ids`; writes the header.
    pub fn new(out: W, ids: Vec<String>) -> std::io::Result<Self> {
        let mut out = csv::Writer::from_writer(out);
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
        out.write_record(&header)?;
        Ok(CsvReporter { out, ids })
    }
}

impl<W: Write> Reporter for CsvReporter<W> {
    fn report(&mut self, r: &FileReport) -> std::io::Result<()> {
        let verdict = match r.verdict {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Error => "error",
        };
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
