//! `photocheck fix`: crops, scales and levels photos into a spec's frame (`photocheck::fix`),
//! writes the fixed photo beside the input (or into `-o DIR`) as JPEG, and checks it again.
//! Inputs are only read; an existing output is never overwritten.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use photocheck::{Engine, Spec, Verdict};

use super::{EXIT_ERROR, EXIT_FAIL, EXIT_PASS, fail_usage};

#[derive(Clone, Copy, ValueEnum)]
pub(super) enum FixFormat {
    /// One line per photo.
    Text,
    /// A JSON array, one object per photo.
    Json,
}

#[derive(Args)]
pub(super) struct FixArgs {
    /// Photo files, or folders (their JPEG, PNG, WebP, BMP and TIFF files, recursively).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// The spec to fix into: a preset id or alias, or a spec file.
    #[arg(long, default_value = "cn-driving-licence")]
    spec: String,
    /// Folder for the fixed photos (created if missing); by default each is written beside
    /// its input as NAME.fixed.jpg.
    #[arg(short, long, value_name = "DIR")]
    output: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: FixFormat,
    /// Replace the backdrop: `white` paints it white through the person mask (a soft edge at
    /// the hair); without it the backdrop is kept as it is.
    #[arg(long, value_enum)]
    background: Option<Backdrop>,
}

#[derive(Clone, Copy, ValueEnum)]
pub(super) enum Backdrop {
    /// Plain white.
    White,
}

/// The photos under the paths, in order: files as given, folders walked (sorted).
fn inputs(paths: &[PathBuf]) -> Vec<PathBuf> {
    let image = |p: &Path| {
        p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            matches!(
                e.to_ascii_lowercase().as_str(),
                "jpg" | "jpeg" | "png" | "webp" | "bmp" | "tif" | "tiff"
            )
        }) && !p.to_string_lossy().contains(".fixed.")
    };
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = walkdir::WalkDir::new(p)
                .into_iter()
                .filter_map(|e| e.ok())
                .filter(|e| e.file_type().is_file() && image(e.path()))
                .map(|e| e.into_path())
                .collect();
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    out
}

/// Where the fixed photo of `input` goes.
fn output_path(input: &Path, dir: Option<&Path>) -> PathBuf {
    let stem = input
        .file_stem()
        .map_or("photo".into(), |s| s.to_string_lossy().into_owned());
    let name = format!("{stem}.fixed.jpg");
    match dir {
        Some(d) => d.join(name),
        None => input.with_file_name(name),
    }
}

pub(super) fn fix(args: FixArgs) -> ExitCode {
    let spec = match Spec::resolve(&args.spec) {
        Ok(s) => s,
        Err(e) => return fail_usage(e),
    };
    if let Some(Err(e)) = args.output.as_ref().map(std::fs::create_dir_all) {
        let dir = args.output.as_deref().unwrap_or(Path::new("."));
        return fail_usage(format!("-o {}: {e}", dir.display()));
    }
    let engine = match Engine::new() {
        Ok(e) => e,
        Err(e) => return fail_usage(e),
    };
    let (mut refused, mut errors, mut failing) = (0usize, 0usize, 0usize);
    let mut json_out: Vec<serde_json::Value> = Vec::new();
    let text = matches!(args.format, FixFormat::Text);
    let mut stdout = std::io::stdout().lock();
    for input in inputs(&args.paths) {
        let label = input.display().to_string();
        let bytes = match photocheck::input::read_file(&input) {
            Ok(b) => b,
            Err(e) => {
                errors += 1;
                if text {
                    let _ = writeln!(stdout, "ERROR {label}: {e}");
                }
                json_out.push(
                    serde_json::json!({"file": label, "output": null, "reason": e.to_string()}),
                );
                continue;
            }
        };
        let white = matches!(args.background, Some(Backdrop::White));
        let out = engine.fix_bytes_with(&label, &bytes, &spec, white);
        let target = output_path(&input, args.output.as_deref());
        let mut written = None;
        let mut reason = out.reason.clone();
        if let Some(jpeg) = &out.jpeg {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&target);
            match file.and_then(|mut f| f.write_all(jpeg)) {
                Ok(()) => written = Some(target.display().to_string()),
                Err(e) => {
                    reason = Some(format!(
                        "could not write {}: {e} (an existing file is never overwritten)",
                        target.display()
                    ));
                }
            }
        }
        let before = out.before.verdict;
        let after = out.after.as_ref().filter(|_| written.is_some());
        match (&written, after) {
            (Some(path), Some(after)) => {
                if after.verdict != Verdict::Pass {
                    failing += 1;
                }
                let still: Vec<&str> = after.failed_checks().map(|c| c.id.as_str()).collect();
                if text {
                    let _ = writeln!(
                        stdout,
                        "FIXED {label} -> {path}: before {}, after {}{}",
                        verdict_word(before),
                        verdict_word(after.verdict),
                        if still.is_empty() {
                            String::new()
                        } else {
                            format!(" (still failing: {})", still.join(", "))
                        }
                    );
                }
            }
            _ => {
                refused += 1;
                let why = reason.clone().unwrap_or_else(|| "not fixed".into());
                if text {
                    let _ = writeln!(stdout, "REFUSED {label}: {why}");
                }
            }
        }
        json_out
            .push(serde_json::to_value(out.to_report(&label, written, reason)).unwrap_or_default());
    }
    if let FixFormat::Json = args.format {
        drop(stdout);
        let text = serde_json::to_string_pretty(&json_out).unwrap_or_else(|_| "[]".into());
        if super::print_stdout(&format!("{text}\n")) != ExitCode::from(EXIT_PASS) {
            return ExitCode::from(EXIT_ERROR);
        }
    }
    ExitCode::from(if errors > 0 {
        EXIT_ERROR
    } else if refused > 0 || failing > 0 {
        EXIT_FAIL
    } else {
        EXIT_PASS
    })
}

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "PASS",
        Verdict::Fail => "FAIL",
        Verdict::Error => "ERROR",
    }
}
