//! JSON reporters: a JSON array (`--format json`) and one object per line (`--format ndjson`).

use std::io::Write;

use super::{FileReport, Reporter, Summary};

/// Writes a JSON array of [`FileReport`]s, one element per file, streamed as results come.
pub struct JsonReporter<W: Write> {
    out: W,
    first: bool,
}

impl<W: Write> JsonReporter<W> {
    /// A reporter writing to `out`.
    pub fn new(out: W) -> Self {
        JsonReporter { out, first: true }
    }
}

impl<W: Write> Reporter for JsonReporter<W> {
    fn report(&mut self, report: &FileReport) -> std::io::Result<()> {
        let sep = if self.first { "[\n" } else { ",\n" };
        self.first = false;
        self.out.write_all(sep.as_bytes())?;
        serde_json::to_writer_pretty(&mut self.out, report)?;
        self.out.flush()
    }

    fn finish(&mut self, _summary: &Summary) -> std::io::Result<()> {
        let end = if self.first { "[]\n" } else { "\n]\n" };
        self.out.write_all(end.as_bytes())?;
        self.out.flush()
    }
}

/// Writes one compact JSON object per line per file.
pub struct NdjsonReporter<W: Write> {
    out: W,
}

impl<W: Write> NdjsonReporter<W> {
    /// A reporter writing to `out`.
    pub fn new(out: W) -> Self {
        NdjsonReporter { out }
    }
}

impl<W: Write> Reporter for NdjsonReporter<W> {
    fn report(&mut self, report: &FileReport) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.out, report)?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }

    fn finish(&mut self, _summary: &Summary) -> std::io::Result<()> {
        self.out.flush()
    }
}
