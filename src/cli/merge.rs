//! `photocheck merge`: shard reports (NDJSON or JSON, from `check --shard`) combined into one
//! report in any format, refusing reports of different specs or schema versions, and saying
//! which photos were checked twice or (given the list of inputs) not at all.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use photocheck::Spec;
use photocheck::report::{Lang, Summary};

use super::check::{Format, LangArg, make_reporter};
use super::{EXIT_ERROR, EXIT_FAIL, EXIT_PASS, Step, fail_usage, output};

#[derive(Args)]
pub(super) struct MergeArgs {
    /// Report files: NDJSON (`check --format ndjson`, a cut-off last line is ignored) or JSON
    /// arrays (`check --format json`).
    #[arg(required = true, value_name = "REPORT")]
    reports: Vec<PathBuf>,
    /// Output format of the merged report.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Write the merged report to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// The photos the run was meant to check, one per line as the reports name them (the
    /// list given to the shards with `--files-from`): those with no report are listed.
    #[arg(long, value_name = "FILE")]
    inputs: Option<PathBuf>,
    /// The inputs list is NUL-separated.
    #[arg(short = '0', long = "null")]
    null: bool,
    /// Every check of every photo (text format).
    #[arg(short, long)]
    verbose: bool,
    /// Language of the text report (default: from LANG).
    #[arg(long, value_enum)]
    lang: Option<LangArg>,
}

/// `photocheck merge`: exit 0 when every photo passed and none is missing or doubled, 1 when a
/// photo failed, is missing or was checked twice, 2 for unreadable or incompatible reports
/// (or a photo that could not be checked).
pub(super) fn merge(args: MergeArgs) -> ExitCode {
    run(&args).unwrap_or_else(|code| code)
}

fn run(args: &MergeArgs) -> Step<ExitCode> {
    let start = Instant::now();
    let inputs = match &args.inputs {
        None => None,
        Some(path) => {
            let file = std::fs::File::open(path)
                .map_err(|e| fail_usage(format!("--inputs {}: {e}", path.display())))?;
            let list = photocheck::batch::read_path_list(file, args.null)
                .map_err(|e| fail_usage(format!("--inputs {}: {e}", path.display())))?;
            Some(
                list.iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>(),
            )
        }
    };
    let merged = photocheck::shards::merge(&args.reports, inputs.as_deref()).map_err(fail_usage)?;
    for file in &merged.cut_off {
        eprintln!("photocheck: {file}: its last line was cut off (ignored)");
    }
    // CSV columns: the spec's checks when it is a known preset, else those of the reports.
    let spec_id = merged
        .reports
        .first()
        .map_or(String::new(), |r| r.spec.clone());
    let ids = match Spec::resolve(&spec_id) {
        Ok(spec) => photocheck::checks::check_ids(&spec),
        Err(_) => {
            let mut ids: Vec<String> = Vec::new();
            for c in merged.reports.iter().flat_map(|r| &r.checks) {
                if !ids.contains(&c.id) {
                    ids.push(c.id.clone());
                }
            }
            ids
        }
    };
    let lang = match args.lang {
        Some(LangArg::Zh) => Lang::Zh,
        Some(LangArg::En) => Lang::En,
        None => Lang::from_env(),
    };
    let (sink, pending) = output::open_report(args.output.as_deref())?;
    let mut reporter = make_reporter((args.format, args.verbose, lang), &spec_id, ids, sink)?;
    let mut summary = Summary::default();
    let written = merged
        .reports
        .iter()
        .try_for_each(|r| {
            summary.add(r);
            reporter.report(r)
        })
        .and_then(|()| {
            summary.elapsed_s = start.elapsed().as_secs_f64();
            reporter.finish(&summary)
        });
    drop(reporter);
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("photocheck: cannot write the report: {e}");
        }
        return Err(ExitCode::from(EXIT_ERROR));
    }
    if let Some(p) = pending {
        p.persist()?;
    }
    for (file, n) in &merged.duplicates {
        eprintln!("photocheck: checked {n} times: {file}");
    }
    for file in &merged.missing {
        eprintln!("photocheck: not checked (no report): {file}");
    }
    eprintln!(
        "photocheck: merged {} reports: {} photos, {} checked twice or more, {} missing",
        args.reports.len(),
        merged.reports.len(),
        merged.duplicates.len(),
        merged.missing.len()
    );
    Ok(ExitCode::from(if summary.errors > 0 {
        EXIT_ERROR
    } else if summary.failed > 0 || !merged.duplicates.is_empty() || !merged.missing.is_empty() {
        EXIT_FAIL
    } else {
        EXIT_PASS
    }))
}
