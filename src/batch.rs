//! Batches: collect photo files from paths and check them in parallel, results in input order.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use rayon::prelude::*;

use crate::decode::sniff_format;
use crate::engine::Engine;
use crate::error::Error;
use crate::report::FileReport;
use crate::spec::Spec;

/// One input of a batch: a file to check, or a path that could not be listed.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// A file to check.
    File(PathBuf),
    /// A path given on the command line that does not exist.
    Missing(PathBuf),
    /// A folder entry that could not be read (permissions, loop), with the cause.
    Unreadable(PathBuf, String),
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.') && n != "." && n != "..")
}

/// True when the file's first bytes are an image format (decodable or a known unsupported one
/// such as HEIC, which then gets a clear error rather than being skipped).
fn looks_like_image(path: &Path) -> bool {
    let mut head = [0u8; 64];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    !matches!(sniff_format(&head[..n]), Err(Error::NotAnImage(_)))
}

/// Expands paths into inputs: files as given (whatever their content: a non-image file named
/// explicitly gets an error report), folders recursively in sorted order, keeping files whose
/// content is an image and skipping hidden files and folders. Symbolic links are followed;
/// loops are reported as unreadable.
pub fn collect_inputs(paths: &[PathBuf]) -> Vec<Input> {
    let mut out = Vec::new();
    for p in paths {
        if !p.exists() {
            out.push(Input::Missing(p.clone()));
        } else if p.is_dir() {
            let walker = walkdir::WalkDir::new(p)
                .follow_links(true)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| e.depth() == 0 || !is_hidden(e.path()));
            for entry in walker {
                match entry {
                    Ok(e) if e.file_type().is_file() => {
                        if looks_like_image(e.path()) {
                            out.push(Input::File(e.into_path()));
                        }
                    }
                    Ok(_) => {}
                    Err(e) => {
                        let path = e.path().map(Path::to_path_buf).unwrap_or_else(|| p.clone());
                        out.push(Input::Unreadable(path, e.to_string()));
                    }
                }
            }
        } else {
            out.push(Input::File(p.clone()));
        }
    }
    out
}

/// Checks every input on `jobs` threads and hands each report to `sink` in input order, as
/// soon as it and all before it are done. Memory stays bounded by the reports waiting for an
/// earlier, slower file; no image outlives its own check.
///
/// Errors: the sink's error stops the batch (for example a closed stdout).
pub fn check_inputs<F>(
    engine: &Engine,
    spec: &Spec,
    inputs: &[Input],
    jobs: usize,
    mut sink: F,
) -> std::io::Result<()>
where
    F: FnMut(FileReport) -> std::io::Result<()>,
{
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()
        .map_err(std::io::Error::other)?;
    let (tx, rx) = mpsc::sync_channel::<(usize, FileReport)>(jobs.max(1) * 4);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            pool.install(|| {
                inputs
                    .par_iter()
                    .enumerate()
                    .for_each_with(tx, |tx, (i, input)| {
                        let report = check_input(engine, spec, input);
                        let _ = tx.send((i, report));
                    });
            });
        });
        let mut pending = BTreeMap::new();
        let mut next = 0usize;
        for (i, report) in rx {
            pending.insert(i, report);
            while let Some(r) = pending.remove(&next) {
                sink(r)?;
                next += 1;
            }
        }
        Ok(())
    })
}

/// Checks one input.
pub fn check_input(engine: &Engine, spec: &Spec, input: &Input) -> FileReport {
    match input {
        Input::File(p) => engine.check_file(p, spec),
        Input::Missing(p) => FileReport::from_error(
            &p.display().to_string(),
            &spec.id,
            &Error::NotFound(p.clone()),
        ),
        Input::Unreadable(p, why) => FileReport::from_error(
            &p.display().to_string(),
            &spec.id,
            &Error::Io {
                path: p.clone(),
                source: std::io::Error::other(why.clone()),
            },
        ),
    }
}
