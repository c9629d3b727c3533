//! Batches: collect photo files from paths and lists, filter and shard them, check them in
//! parallel with results in input order, stop early on request.

use std::collections::BTreeMap;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, mpsc};

use crate::analysis::Analysis;
use crate::decode::{Photo, sniff_format};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::report::{FileReport, Verdict};
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

impl Input {
    /// The input's path.
    pub fn path(&self) -> &Path {
        match self {
            Input::File(p) | Input::Missing(p) | Input::Unreadable(p, _) => p,
        }
    }
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.') && n != "." && n != "..")
}

/// File name extensions of images: a file named so is always reported (an error line when it
/// is not an image after all), never silently skipped.
pub const IMAGE_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "jpe", "jfif", "png", "webp", "bmp", "tif", "tiff", "gif", "heic", "heif",
    "avif",
];

fn named_like_image(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Whether a file found in a folder is a photo to check: an annotated image photocheck wrote
/// ([`crate::report::annotate::is_annotated_png`]) never is; a file named like an image
/// always is (if it is not one, it gets an error line); any other file is when its first bytes
/// are an image format (decodable or a known unsupported one such as HEIC, which then gets a
/// clear error), or when it cannot be read at all (it then gets its own error rather than
/// vanishing from the batch).
fn is_photo_to_check(path: &Path) -> bool {
    let mut head = [0u8; 4096];
    let read = std::fs::File::open(path).and_then(|mut f| {
        let mut n = 0;
        while n < head.len() {
            match f.read(&mut head[n..])? {
                0 => break,
                k => n += k,
            }
        }
        Ok(n)
    });
    match read {
        Ok(n) if crate::report::annotate::is_annotated_png(&head[..n]) => false,
        Ok(_) if named_like_image(path) => true,
        Ok(n) => !matches!(sniff_format(&head[..n]), Err(Error::NotAnImage(_))),
        Err(_) => true,
    }
}

/// Expands paths into inputs: files as given (whatever their content: a non-image file named
/// explicitly gets an error report), folders recursively in sorted order, keeping files whose
/// content is an image or whose name says image (see `is_photo_to_check`), skipping hidden
/// files and folders and photocheck's own annotated images. Symbolic links are followed;
/// loops are reported as unreadable.
pub fn collect_inputs(paths: &[PathBuf]) -> Vec<Input> {
    collect_inputs_excluding(paths, &|_, _| false)
}

/// As [`collect_inputs`], leaving out the files found in folders for which `exclude(path,
/// path relative to the folder given)` is true. Files named explicitly are always kept.
pub fn collect_inputs_excluding(
    paths: &[PathBuf],
    exclude: &dyn Fn(&Path, &Path) -> bool,
) -> Vec<Input> {
    let mut out = Vec::new();
    for p in paths {
        let meta = match std::fs::metadata(p) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                out.push(Input::Missing(p.clone()));
                continue;
            }
            Err(e) => {
                out.push(Input::Unreadable(p.clone(), e.to_string()));
                continue;
            }
        };
        if meta.is_dir() {
            let walker = walkdir::WalkDir::new(p)
                .follow_links(true)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| e.depth() == 0 || !is_hidden(e.path()));
            for entry in walker {
                match entry {
                    Ok(e) if e.file_type().is_file() => {
                        let rel = e.path().strip_prefix(p).unwrap_or(e.path());
                        if !exclude(e.path(), rel) && is_photo_to_check(e.path()) {
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

/// Reads a list of paths, one per line (or NUL-separated when `nul`); empty entries are
/// skipped. On Unix the bytes are taken as they are, so non-UTF-8 names survive.
pub fn read_path_list(reader: impl Read, nul: bool) -> std::io::Result<Vec<PathBuf>> {
    let mut reader = std::io::BufReader::new(reader);
    let sep = if nul { b'\0' } else { b'\n' };
    let mut out = Vec::new();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if reader.read_until(sep, &mut buf)? == 0 {
            break;
        }
        while buf
            .last()
            .is_some_and(|b| *b == sep || (!nul && *b == b'\r'))
        {
            buf.pop();
        }
        if !buf.is_empty() {
            out.push(path_from_bytes(&buf));
        }
    }
    Ok(out)
}

#[cfg(unix)]
fn path_from_bytes(b: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(b))
}

#[cfg(not(unix))]
fn path_from_bytes(b: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(b).into_owned())
}

/// Which of `n` shards (1-based `i`) a path belongs to: FNV-1a of the path's bytes modulo `n`.
/// Stable across runs, machines and list orders, so `--shard 1/4` ... `--shard 4/4` check
/// every file exactly once.
pub fn shard_of(path: &Path, n: u32) -> u32 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in path.as_os_str().as_encoded_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (h % u64::from(n.max(1))) as u32 + 1
}

/// Options of a batch run.
#[derive(Default)]
pub struct BatchOptions<'a> {
    /// Photos checked at once (threads); 0 means 1.
    pub jobs: usize,
    /// Stop starting new photos after the first photo that fails or cannot be read.
    pub fail_fast: bool,
    /// Called in the worker with each checked photo (e.g. to write an annotated image).
    #[allow(clippy::type_complexity)]
    pub then: Option<&'a (dyn Fn(&Photo, &Analysis, &FileReport) -> Result<()> + Sync)>,
}

/// Checks every input and hands each report to `sink` in input order, as soon as it and all
/// before it are done. Memory stays bounded whatever the number of inputs: `jobs` worker
/// threads take the inputs in order, photos are decoded in the workers and dropped after
/// their check, and a worker does not start input `i` until the report of input
/// `i - REORDER_WINDOW x jobs` has gone to `sink`, so at most that many reports wait for an
/// earlier, slower file. With `fail_fast`, no new photo starts after a failure and the reports
/// after the first failure are not delivered.
///
/// Errors: the sink's error stops the batch (for example a closed stdout).
pub fn check_inputs<F>(
    engine: &Engine,
    spec: &Spec,
    inputs: &[Input],
    options: &BatchOptions,
    mut sink: F,
) -> std::io::Result<()>
where
    F: FnMut(FileReport) -> std::io::Result<()>,
{
    let jobs = options.jobs.max(1);
    let window = REORDER_WINDOW * jobs;
    let stop = AtomicBool::new(false);
    let claimed = AtomicUsize::new(0);
    // Reports delivered so far, with a condition variable that wakes workers waiting for the
    // window to move.
    let delivered = (Mutex::new(0usize), Condvar::new());
    let (tx, rx) = mpsc::channel::<(usize, FileReport)>();
    std::thread::scope(|scope| {
        // Ends the batch: workers stop claiming inputs and any waiting one wakes up.
        let finish = |result: std::io::Result<()>| {
            stop.store(true, Ordering::Relaxed);
            let (lock, moved) = &delivered;
            drop(lock.lock());
            moved.notify_all();
            result
        };
        let (stop_ref, claimed, delivered_ref) = (&stop, &claimed, &delivered);
        let work = move |tx: mpsc::Sender<(usize, FileReport)>| {
            loop {
                let i = claimed.fetch_add(1, Ordering::Relaxed);
                let Some(input) = inputs.get(i) else { break };
                let (lock, moved) = delivered_ref;
                let mut done = lock.lock().unwrap_or_else(|p| p.into_inner());
                while i >= *done + window && !stop_ref.load(Ordering::Relaxed) {
                    done = moved.wait(done).unwrap_or_else(|p| p.into_inner());
                }
                drop(done);
                if stop_ref.load(Ordering::Relaxed) {
                    break;
                }
                let report = check_input(engine, spec, input, options.then);
                if options.fail_fast && report.verdict != Verdict::Pass {
                    stop_ref.store(true, Ordering::Relaxed);
                }
                if tx.send((i, report)).is_err() {
                    break;
                }
            }
        };
        // The workers are the threads of a rayon pool of `jobs` threads, so that the rayon
        // parallelism inside a check (rustface's feature maps) stays on these threads instead
        // of waking another pool for every photo.
        let pool = match rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .thread_name(|w| format!("photocheck worker {w}"))
            .build()
        {
            Ok(p) => p,
            Err(e) => return finish(Err(std::io::Error::other(e))),
        };
        let spawned = std::thread::Builder::new()
            .name("photocheck workers".into())
            .spawn_scoped(scope, move || {
                pool.scope(|s| {
                    for _ in 0..jobs {
                        let tx = tx.clone();
                        s.spawn(move |_| work(tx));
                    }
                });
            });
        if let Err(e) = spawned {
            return finish(Err(e));
        }
        let mut pending = BTreeMap::new();
        let mut next = 0usize;
        for (i, report) in &rx {
            pending.insert(i, report);
            while let Some(r) = pending.remove(&next) {
                let failed = r.verdict != Verdict::Pass;
                if let Err(e) = sink(r) {
                    return finish(Err(e));
                }
                next += 1;
                {
                    let (lock, moved) = &delivered;
                    *lock.lock().unwrap_or_else(|p| p.into_inner()) = next;
                    moved.notify_all();
                }
                if options.fail_fast && failed {
                    return finish(Ok(()));
                }
            }
        }
        finish(Ok(()))
    })
}

/// Reports that may wait for an earlier, slower photo, per job (see [`check_inputs`]).
pub const REORDER_WINDOW: usize = 8;

/// Checks one input.
#[allow(clippy::type_complexity)]
pub fn check_input(
    engine: &Engine,
    spec: &Spec,
    input: &Input,
    then: Option<&(dyn Fn(&Photo, &Analysis, &FileReport) -> Result<()> + Sync)>,
) -> FileReport {
    match input {
        Input::File(p) => match then {
            // An annotated image draws every measure: run every stage.
            Some(f) => engine.check_file_with(p, spec, crate::analysis::Stages::ALL, f),
            None => engine.check_file(p, spec),
        },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_path_once() {
        let paths: Vec<PathBuf> = (0..500)
            .map(|i| PathBuf::from(format!("photos/{i:05}.jpg")))
            .collect();
        let mut counts = [0usize; 4];
        for p in &paths {
            let s = shard_of(p, 4);
            assert!((1..=4).contains(&s));
            counts[(s - 1) as usize] += 1;
        }
        assert_eq!(counts.iter().sum::<usize>(), 500);
        assert!(counts.iter().all(|c| *c > 80), "{counts:?}");
        assert_eq!(
            shard_of(Path::new("a.jpg"), 4),
            shard_of(Path::new("a.jpg"), 4)
        );
    }

    #[test]
    fn path_lists_by_line_and_by_nul() {
        let lines = read_path_list(&b"a.jpg\r\nb c.jpg\n\nd.jpg"[..], false).unwrap();
        assert_eq!(
            lines,
            [PathBuf::from("a.jpg"), "b c.jpg".into(), "d.jpg".into()]
        );
        let nul = read_path_list(&b"x\ny.jpg\0z.jpg\0"[..], true).unwrap();
        assert_eq!(nul, [PathBuf::from("x\ny.jpg"), "z.jpg".into()]);
    }
}
