//! Text reporter: one line per photo, every check with `verbose`, a summary line.

use std::io::Write;

use super::{FileReport, Reporter, Summary, Verdict};
use crate::checks::{Status, fmt};

/// Writes `PASS file`, `FAIL file: rule value (range); ...` or `ERROR file: cause` per photo,
/// with `verbose` every check on its own line, then a summary line.
pub struct TextReporter<W: Write> {
    out: W,
    verbose: bool,
}

impl<W: Write> TextReporter<W> {
    /// A reporter writing to `out`.
    pub fn new(out: W, verbose: bool) -> Self {
        TextReporter { out, verbose }
    }
}

fn short(c: &crate::checks::CheckResult) -> String {
    let range = match (c.min, c.max) {
        (Some(lo), Some(hi)) if lo == hi => fmt(lo),
        (Some(lo), Some(hi)) => format!("{}-{}", fmt(lo), fmt(hi)),
        (Some(lo), None) => format!(">= {}", fmt(lo)),
        (None, Some(hi)) => format!("<= {}", fmt(hi)),
        (None, None) => String::new(),
    };
    match (c.status, c.value) {
        (Status::NotMeasured, _) => format!("{} not measured", c.id),
        (_, Some(v)) if !range.is_empty() => {
            format!("{} {} {} ({range})", c.id, fmt(v), c.unit)
        }
        _ => format!("{} ({})", c.id, c.message),
    }
}

impl<W: Write> Reporter for TextReporter<W> {
    fn report(&mut self, r: &FileReport) -> std::io::Result<()> {
        match r.verdict {
            Verdict::Pass => writeln!(self.out, "PASS  {}", r.file)?,
            Verdict::Fail => {
                let failed: Vec<String> = r.failed_checks().map(short).collect();
                writeln!(self.out, "FAIL  {}: {}", r.file, failed.join("; "))?
            }
            Verdict::Error => {
                let msg = r.error.as_ref().map_or("", |e| e.message.as_str());
                writeln!(self.out, "ERROR {}: {msg}", r.file)?
            }
        }
        if self.verbose {
            for c in &r.checks {
                let tag = match c.status {
                    Status::Pass => "pass",
                    Status::Fail => "FAIL",
                    Status::Warn => "warn",
                    Status::NotMeasured => "n/m ",
                    Status::Skipped => "skip",
                };
                match &c.spec_source {
                    Some(src) => {
                        writeln!(self.out, "      {tag}  {:<18} {}  [{src}]", c.id, c.message)?
                    }
                    None => writeln!(self.out, "      {tag}  {:<18} {}", c.id, c.message)?,
                }
            }
        }
        self.out.flush()
    }

    fn finish(&mut self, s: &Summary) -> std::io::Result<()> {
        writeln!(
            self.out,
            "{} checked: {} passed, {} failed, {} errors in {:.2} s",
            s.checked, s.passed, s.failed, s.errors, s.elapsed_s
        )?;
        self.out.flush()
    }
}
