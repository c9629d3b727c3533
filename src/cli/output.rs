//! Where `check` writes: the report (standard output, or `--output` through a temporary file
//! beside it renamed into place) and the annotated images (`--annotate`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use photocheck::batch::Input;
use photocheck::report::Lang;
use photocheck::report::annotate::annotate;
use photocheck::{FileReport, Spec};

use super::{Step, fail_usage};

/// Refuses an `--output` that is one of the inputs: the report would replace it.
pub(super) fn refuse_input_as_output(output: Option<&Path>, inputs: &[Input]) -> Step<()> {
    if let Some(out) = output {
        let out_c = out.canonicalize().ok();
        if inputs
            .iter()
            .any(|i| i.path() == out || out_c.is_some() && i.path().canonicalize().ok() == out_c)
        {
            return Err(fail_usage(format!(
                "--output {} is one of the inputs; it would be replaced",
                out.display()
            )));
        }
    }
    Ok(())
}

/// A report being written to a temporary file beside its `--output` target.
pub(super) struct PendingReport {
    tmp: tempfile::NamedTempFile,
    target: PathBuf,
}

impl PendingReport {
    /// Renames the finished report into place.
    pub(super) fn persist(self) -> Step<()> {
        self.tmp
            .persist(&self.target)
            .map(drop)
            .map_err(|e| fail_usage(format!("--output {}: {}", self.target.display(), e.error)))
    }
}

/// The report of a resumed run (`--resume FILE`): the photos it already has, and the file
/// opened for appending, a cut-off last line cut away first. A missing file is created.
pub(super) fn open_resumed(
    path: &Path,
    spec_id: &str,
    format: super::check::Format,
) -> Step<(Box<dyn Write>, photocheck::shards::Resume)> {
    if format != super::check::Format::Ndjson {
        return Err(fail_usage(
            "--resume appends to an NDJSON report: add --format ndjson",
        ));
    }
    let done = photocheck::shards::resume(path, spec_id).map_err(fail_usage)?;
    let fail = |e: std::io::Error| fail_usage(format!("--resume {}: {e}", path.display()));
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(fail)?;
    // A half-written last line (the run was killed mid-write) is cut away: its photo is
    // checked again and written whole.
    if file.metadata().map_err(fail)?.len() > done.complete_len {
        file.set_len(done.complete_len).map_err(fail)?;
    }
    Ok((Box::new(std::io::BufWriter::new(file)), done))
}

/// Where the report goes: standard output, or `--output`. A regular file (or a new one) is
/// written to a temporary file beside it, renamed into place by [`PendingReport::persist`]
/// once the report is complete; a symbolic link, device, FIFO or socket is written through.
pub(super) fn open_report(output: Option<&Path>) -> Step<(Box<dyn Write>, Option<PendingReport>)> {
    let Some(path) = output else {
        return Ok((Box::new(std::io::stdout().lock()), None));
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if path.is_dir() {
        return Err(fail_usage(format!(
            "--output {} is a folder; give a file name",
            path.display()
        )));
    }
    if !dir.is_dir() {
        return Err(fail_usage(format!(
            "--output {}: the folder {} does not exist",
            path.display(),
            dir.display()
        )));
    }
    let fail = |e: std::io::Error| fail_usage(format!("--output {}: {e}", path.display()));
    // A symbolic link (/dev/stdout), device (/dev/null), FIFO or socket is written
    // through: renaming a finished file over it would replace the link or device.
    let special = std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_file());
    if special {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .map_err(fail)?;
        return Ok((Box::new(std::io::BufWriter::new(f)), None));
    }
    let tmp = temp_beside(path).map_err(fail)?;
    let f = tmp.reopen().map_err(fail)?;
    let pending = PendingReport {
        tmp,
        target: path.to_path_buf(),
    };
    Ok((Box::new(std::io::BufWriter::new(f)), Some(pending)))
}

/// Writes a baseline expectations file from a run's reports
/// ([`photocheck::expect::Expectations::baseline`]), through a temporary file renamed into
/// place.
pub(super) fn write_expectations(path: &Path, reports: &[FileReport]) -> Step<()> {
    let fail = |e: std::io::Error| fail_usage(format!("--write-expect {}: {e}", path.display()));
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let text = photocheck::expect::Expectations::baseline(reports, dir, 0.3);
    let mut tmp = temp_beside(path).map_err(fail)?;
    tmp.write_all(text.as_bytes()).map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// Draws and writes the annotated image of each checked photo into a folder (`--annotate`),
/// keeping the failures to print once the report is written.
pub(super) struct Annotator<'a> {
    dir: &'a Path,
    spec: &'a Spec,
    lang: Lang,
    errors: Mutex<Vec<String>>,
}

impl<'a> Annotator<'a> {
    pub(super) fn new(dir: &'a Path, spec: &'a Spec, lang: Lang) -> Self {
        Annotator {
            dir,
            spec,
            lang,
            errors: Mutex::new(Vec::new()),
        }
    }

    /// Draws the photo's measurements, bands and failures and writes the image; a failure is
    /// kept for [`Annotator::print_errors`], not returned (the photo's report stands).
    pub(super) fn draw(
        &self,
        photo: &photocheck::decode::Photo,
        analysis: &photocheck::analysis::Analysis,
        report: &FileReport,
    ) {
        let img = annotate(&photo.image, analysis, report, self.spec, self.lang);
        if let (Err(e), Ok(mut v)) = (
            write_annotated(self.dir, &report.file, &img),
            self.errors.lock(),
        ) {
            v.push(format!("{}: annotated image not written: {e}", report.file));
        }
    }

    /// Prints the images that could not be written on standard error.
    pub(super) fn print_errors(&self) {
        if let Ok(errs) = self.errors.lock() {
            for e in errs.iter() {
                eprintln!("photocheck: {e}");
            }
        }
    }
}

/// Where the annotated image of `file` goes: its path mirrored below `dir` (root and `..`
/// components dropped) with `.png` added, so `a/x.jpg` and `b/x.jpg` do not collide.
fn annotated_path(dir: &Path, file: &str) -> PathBuf {
    let mut out = dir.to_path_buf();
    for c in Path::new(file).components() {
        if let std::path::Component::Normal(part) = c {
            out.push(part);
        }
    }
    let mut name = out.file_name().map_or("photo".into(), |n| n.to_os_string());
    name.push(".png");
    out.set_file_name(name);
    out
}

/// A temporary file beside `target`, readable as the umask allows (not only by its owner).
fn temp_beside(target: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut b = tempfile::Builder::new();
    b.prefix(".photocheck-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o666));
    }
    b.tempfile_in(dir)
}

/// Writes `img` as PNG at [`annotated_path`] through a temporary file renamed into place. An
/// annotated image of an earlier run there is replaced (so runs do not multiply them); any
/// other file is never replaced (a clash gets `-1`, `-2`, ... suffixes).
fn write_annotated(dir: &Path, file: &str, img: &image::RgbImage) -> photocheck::Result<PathBuf> {
    let first = annotated_path(dir, file);
    let folder = first.parent().unwrap_or(dir).to_path_buf();
    let io = |e: std::io::Error| photocheck::Error::Io {
        path: folder.clone(),
        source: e,
    };
    std::fs::create_dir_all(&folder).map_err(io)?;
    let stem = first
        .file_stem()
        .map_or("photo".into(), |s| s.to_string_lossy().into_owned());
    let mut tmp = temp_beside(&first).map_err(io)?;
    let png = photocheck::report::annotate::encode_png(img).map_err(io)?;
    std::io::Write::write_all(tmp.as_file_mut(), &png).map_err(io)?;
    let ours = |p: &Path| {
        let mut head = [0u8; 4096];
        std::fs::File::open(p)
            .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
            .is_ok_and(|n| photocheck::report::annotate::is_annotated_png(&head[..n]))
    };
    for k in 0.. {
        let name = if k == 0 {
            format!("{stem}.png")
        } else {
            format!("{stem}-{k}.png")
        };
        let target = folder.join(name);
        if std::fs::symlink_metadata(&target).is_ok_and(|m| m.is_file()) && ours(&target) {
            return tmp
                .persist(&target)
                .map(|_| target)
                .map_err(|e| io(e.error));
        }
        // persist_noclobber never replaces an existing file (an input included).
        match tmp.persist_noclobber(&target) {
            Ok(_) => return Ok(target),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => tmp = e.file,
            Err(e) => return Err(io(e.error)),
        }
    }
    unreachable!("the loop returns")
}
