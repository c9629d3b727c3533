//! Past one machine (issue 18): the shard a cluster job runner gives this process
//! (`--shard auto`), resuming a cut-off NDJSON report (`--resume`), and merging shard reports
//! into one (`photocheck merge`).
//!
//! Photos are split into shards by [`crate::batch::shard_of`] (a stable hash of the path), so
//! N processes that each take one shard check every photo exactly once, whatever machine or
//! order they run in; their NDJSON reports merge back into what one process would have written.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, Read};
use std::path::Path;

use crate::report::{FileReport, SCHEMA_VERSION};

/// The variable that gives the shard count where the job runner's own variables do not
/// (Kubernetes Indexed Jobs, GNU parallel).
pub const SHARD_COUNT_VAR: &str = "PHOTOCHECK_SHARD_COUNT";

/// This process's shard `(i, n)` (1-based `i` of `n`) from the job runner's environment,
/// looked up through `var`, in this order:
///
/// | job runner | index | count |
/// |---|---|---|
/// | Kubernetes Indexed Job | `JOB_COMPLETION_INDEX` (0-based) | [`SHARD_COUNT_VAR`] (set it to the Job's `completions`) |
/// | Slurm job array | `SLURM_ARRAY_TASK_ID` (from `SLURM_ARRAY_TASK_MIN`, default 0) | `SLURM_ARRAY_TASK_COUNT` |
/// | GNU parallel | `PARALLEL_SEQ` (1-based) | [`SHARD_COUNT_VAR`] |
///
/// Errors: a message naming the variables when none is set, or when a value is not a number
/// or the index is outside the count.
pub fn shard_from_env(var: impl Fn(&str) -> Option<String>) -> Result<(u32, u32), String> {
    let number = |name: &str| -> Result<Option<u64>, String> {
        match var(name) {
            None => Ok(None),
            Some(v) if v.trim().is_empty() => Ok(None),
            Some(v) => v
                .trim()
                .parse::<u64>()
                .map(Some)
                .map_err(|_| format!("{name}={v:?} is not a whole number")),
        }
    };
    let count = |runner: &str| -> Result<u64, String> {
        number(SHARD_COUNT_VAR)?.ok_or_else(|| {
            format!("--shard auto under {runner}: set {SHARD_COUNT_VAR} to the number of shards")
        })
    };
    // (runner, 0-based index, count)
    let (runner, index, n) = if let Some(i) = number("JOB_COMPLETION_INDEX")? {
        (
            "a Kubernetes Indexed Job",
            i,
            count("a Kubernetes Indexed Job")?,
        )
    } else if let Some(id) = number("SLURM_ARRAY_TASK_ID")? {
        let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let n = number("SLURM_ARRAY_TASK_COUNT")?
            .ok_or("--shard auto under a Slurm job array: SLURM_ARRAY_TASK_COUNT is not set")?;
        let i = id.checked_sub(min).ok_or_else(|| {
            format!("SLURM_ARRAY_TASK_ID {id} is below SLURM_ARRAY_TASK_MIN {min}")
        })?;
        ("a Slurm job array", i, n)
    } else if let Some(seq) = number("PARALLEL_SEQ")? {
        let i = seq
            .checked_sub(1)
            .ok_or("PARALLEL_SEQ starts at 1; got 0")?;
        ("GNU parallel", i, count("GNU parallel")?)
    } else {
        return Err(format!(
            "--shard auto: no job runner's shard index found; set JOB_COMPLETION_INDEX and {SHARD_COUNT_VAR} (Kubernetes Indexed Job), SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT (Slurm job array), or PARALLEL_SEQ and {SHARD_COUNT_VAR} (GNU parallel); or give --shard I/N"
        ));
    };
    if n == 0 || index >= n || n > u64::from(u32::MAX) {
        return Err(format!(
            "--shard auto under {runner}: shard index {index} (0-based) is outside a count of {n}"
        ));
    }
    Ok((index as u32 + 1, n as u32))
}

/// Reports read from NDJSON or JSON report files, with what was wrong with them.
#[derive(Debug, Default)]
pub struct ReadReports {
    /// The reports, in file order.
    pub reports: Vec<FileReport>,
    /// Bytes of complete lines at the start of an NDJSON file (where a cut-off last line
    /// begins), for [`resume`]. Equals the file's length when the last line is complete.
    pub complete_len: u64,
    /// A cut-off last line was found (and ignored).
    pub cut_off: bool,
}

/// Reads one report file: a JSON array (`--format json`) or one JSON object per line
/// (`--format ndjson`). In NDJSON a last line without its newline that does not parse is a
/// run cut off mid-write: it is ignored (`cut_off`), not an error.
///
/// Errors: the file cannot be read, or a line (or the array) is not a photocheck report;
/// the message names the file and line.
pub fn read_reports(path: &Path) -> Result<ReadReports, String> {
    let name = path.display();
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read {name}: {e}"))?;
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'[') {
        let reports: Vec<FileReport> = serde_json::from_slice(&bytes)
            .map_err(|e| format!("{name}: not a photocheck JSON report: {e}"))?;
        return Ok(ReadReports {
            reports,
            complete_len: bytes.len() as u64,
            cut_off: false,
        });
    }
    let mut out = ReadReports::default();
    let mut offset = 0u64;
    for (n, line) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
        let complete = line.ends_with(b"\n");
        let text = line.trim_ascii();
        if !text.is_empty() {
            match serde_json::from_slice::<FileReport>(text) {
                Ok(r) => out.reports.push(r),
                Err(_) if !complete => {
                    out.cut_off = true;
                    break;
                }
                Err(e) => {
                    return Err(format!(
                        "{name}, line {}: not a photocheck report: {e}",
                        n + 1
                    ));
                }
            }
        }
        offset += line.len() as u64;
    }
    out.complete_len = offset;
    Ok(out)
}

/// Checks that reports can be combined: one spec and one schema version.
///
/// Errors: which files disagree and how.
pub fn same_spec_and_schema<'a>(
    reports: impl IntoIterator<Item = (&'a str, &'a FileReport)>,
) -> Result<(), String> {
    let mut first: Option<(&str, &FileReport)> = None;
    for (file, r) in reports {
        if r.schema_version != SCHEMA_VERSION {
            return Err(format!(
                "{file}: schema version {} (this photocheck reads {SCHEMA_VERSION})",
                r.schema_version
            ));
        }
        match first {
            None => first = Some((file, r)),
            Some((f0, r0)) if r0.spec != r.spec => {
                return Err(format!(
                    "{f0} is a report of spec `{}` but {file} of spec `{}`: reports of different specs cannot be merged",
                    r0.spec, r.spec
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// An earlier report to resume: the photos it already has (by their `file` label), their
/// reports, and where the file's complete lines end.
#[derive(Debug)]
pub struct Resume {
    /// The reports already written (each photo once).
    pub reports: Vec<FileReport>,
    /// Labels of the photos already checked.
    pub done: HashSet<String>,
    /// Length of the file's complete lines: a cut-off last line beyond it is cut away
    /// before appending.
    pub complete_len: u64,
}

/// Reads an earlier NDJSON report to resume a run of `spec_id`. A missing file is an empty
/// report (the first run of a job that may be restarted).
///
/// Errors: the file is not an NDJSON report, is of another spec or schema version, or is a
/// JSON array (a finished `--format json` report cannot be appended to).
pub fn resume(path: &Path, spec_id: &str) -> Result<Resume, String> {
    if !path.exists() {
        return Ok(Resume {
            reports: Vec::new(),
            done: HashSet::new(),
            complete_len: 0,
        });
    }
    let head = std::fs::File::open(path)
        .and_then(|f| {
            let mut first = Vec::new();
            std::io::BufReader::new(f).read_until(b'\n', &mut first)?;
            Ok(first)
        })
        .map_err(|e| format!("--resume {}: {e}", path.display()))?;
    if head.trim_ascii_start().first() == Some(&b'[') {
        return Err(format!(
            "--resume {}: a JSON array report; resume needs an NDJSON report (--format ndjson)",
            path.display()
        ));
    }
    let read = read_reports(path).map_err(|e| format!("--resume {e}"))?;
    let label = path.display().to_string();
    same_spec_and_schema(read.reports.iter().map(|r| (label.as_str(), r)))
        .map_err(|e| format!("--resume: {e}"))?;
    if let Some(r) = read.reports.first().filter(|r| r.spec != spec_id) {
        return Err(format!(
            "--resume {}: a report of spec `{}`, but this run checks `{spec_id}`",
            path.display(),
            r.spec
        ));
    }
    let mut done = HashSet::new();
    let mut reports = Vec::new();
    for r in read.reports {
        if done.insert(r.file.clone()) {
            reports.push(r);
        }
    }
    Ok(Resume {
        reports,
        done,
        complete_len: read.complete_len,
    })
}

/// Shard reports merged: every photo's report once, in the order of their file labels, with
/// the photos found more than once and, given the list of inputs, those missing.
#[derive(Debug, Default)]
pub struct Merged {
    /// One report per photo (the first one read when a photo is in several reports).
    pub reports: Vec<FileReport>,
    /// Photos with more than one report, and how many.
    pub duplicates: Vec<(String, usize)>,
    /// Inputs with no report (only when the inputs were given).
    pub missing: Vec<String>,
    /// Report files whose last line was cut off (ignored).
    pub cut_off: Vec<String>,
}

/// Merges report files (NDJSON or JSON) of one spec and schema version; `inputs`, when given,
/// are the photo labels the run was meant to check (as the reports name them).
///
/// Errors: a file cannot be read or is not a report, or the files are of different specs or
/// schema versions.
pub fn merge(paths: &[impl AsRef<Path>], inputs: Option<&[String]>) -> Result<Merged, String> {
    let mut all: Vec<(String, FileReport)> = Vec::new();
    let mut merged = Merged::default();
    for p in paths {
        let p = p.as_ref();
        let read = read_reports(p)?;
        if read.cut_off {
            merged.cut_off.push(p.display().to_string());
        }
        let label = p.display().to_string();
        all.extend(read.reports.into_iter().map(|r| (label.clone(), r)));
    }
    same_spec_and_schema(all.iter().map(|(f, r)| (f.as_str(), r)))?;
    let mut by_file: BTreeMap<String, (FileReport, usize)> = BTreeMap::new();
    for (_, r) in all {
        by_file
            .entry(r.file.clone())
            .and_modify(|e| e.1 += 1)
            .or_insert((r, 1));
    }
    if let Some(inputs) = inputs {
        merged.missing = inputs
            .iter()
            .filter(|i| !by_file.contains_key(i.as_str()))
            .cloned()
            .collect();
    }
    for (file, (report, n)) in by_file {
        if n > 1 {
            merged.duplicates.push((file, n));
        }
        merged.reports.push(report);
    }
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn each_job_runner_gives_a_one_based_shard() {
        let k8s = env(&[("JOB_COMPLETION_INDEX", "0"), (SHARD_COUNT_VAR, "4")]);
        assert_eq!(shard_from_env(k8s), Ok((1, 4)));
        let slurm = env(&[
            ("SLURM_ARRAY_TASK_ID", "7"),
            ("SLURM_ARRAY_TASK_MIN", "5"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ]);
        assert_eq!(shard_from_env(slurm), Ok((3, 3)));
        let parallel = env(&[("PARALLEL_SEQ", "2"), (SHARD_COUNT_VAR, "2")]);
        assert_eq!(shard_from_env(parallel), Ok((2, 2)));
    }

    #[test]
    fn a_missing_or_wrong_variable_is_a_clear_error() {
        let none = shard_from_env(env(&[])).unwrap_err();
        assert!(none.contains("JOB_COMPLETION_INDEX") && none.contains("SLURM_ARRAY_TASK_ID"));
        let no_count = shard_from_env(env(&[("JOB_COMPLETION_INDEX", "1")])).unwrap_err();
        assert!(no_count.contains(SHARD_COUNT_VAR), "{no_count}");
        let outside = shard_from_env(env(&[("PARALLEL_SEQ", "5"), (SHARD_COUNT_VAR, "4")]));
        assert!(outside.unwrap_err().contains("outside"));
        let word = shard_from_env(env(&[
            ("JOB_COMPLETION_INDEX", "x"),
            (SHARD_COUNT_VAR, "4"),
        ]));
        assert!(word.unwrap_err().contains("not a whole number"));
    }
}
