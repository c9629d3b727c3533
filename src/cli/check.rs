//! `photocheck check`: resolve the options, gather the inputs, open the report, run the
//! batch (with a progress bar and annotated images), then say how it went and pick the exit
//! code. [`check`] reads as that list; each step is one function below.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::ValueEnum;
use photocheck::batch::{
    BatchOptions, Input, check_inputs, collect_inputs_excluding, read_path_list, shard_of,
};
use photocheck::checks::check_ids;
use photocheck::expect::Expectations;
use photocheck::report::{
    CsvLayout, CsvReporter, JsonReporter, JunitReporter, Lang, NdjsonReporter, Reporter, Summary,
    TextReporter,
};
use photocheck::{Engine, FileReport, Spec};

use super::output::{self, Annotator};
use super::{EXIT_ERROR, EXIT_FAIL, EXIT_PASS, Step, fail_usage};

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum Format {
    /// One line per photo and a summary.
    Text,
    /// A JSON array of reports.
    Json,
    /// One JSON report per line, as results come.
    Ndjson,
    /// JUnit XML: one test case per photo, one failure per failed rule.
    Junit,
    /// CSV: one row per photo, one status and one value column per check.
    Csv,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum CsvLayoutArg {
    /// One row per photo.
    Wide,
    /// One row per photo and check.
    Long,
}

#[derive(Clone, Copy, ValueEnum)]
pub(super) enum LangArg {
    /// English.
    En,
    /// Simplified Chinese.
    Zh,
}

#[derive(clap::Args)]
pub(super) struct CheckArgs {
    /// Photo files or folders; `-` reads paths from standard input (one per line).
    paths: Vec<PathBuf>,
    /// Spec id or alias (see `photocheck specs`), or a spec file.
    #[arg(
        long,
        default_value = "cn-driving-licence",
        conflicts_with = "spec_file"
    )]
    spec: String,
    /// A spec file (TOML; may `extends = "preset-id"` and override single rules).
    #[arg(long, value_name = "FILE")]
    spec_file: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Write the report to FILE (atomically: a temporary file renamed into place).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Show every check with its value, range and source (text format).
    #[arg(short, long)]
    verbose: bool,
    /// No progress bar and no notes on standard error.
    #[arg(short, long)]
    quiet: bool,
    /// Photos checked in parallel (default: all cores).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// Compare each photo with its expected verdict and rule statuses (TOML or JSON); the exit
    /// code then says whether every expectation is met.
    #[arg(long, value_name = "FILE")]
    expect: Option<PathBuf>,
    /// Write the run's results as an expectations file (TOML) to FILE: per photo the verdict,
    /// the rules that pass and fail, and head length, head width and crown margin within
    /// 0.3 mm; review it and use it with --expect (a baseline to accept new results).
    #[arg(long, value_name = "FILE")]
    write_expect: Option<PathBuf>,
    /// Write an annotated PNG per photo into DIR (measured lines, allowed bands, failures).
    #[arg(long, value_name = "DIR")]
    annotate: Option<PathBuf>,
    /// Read photo paths from FILE (one per line; with -0 NUL-separated).
    #[arg(long, value_name = "FILE")]
    files_from: Option<PathBuf>,
    /// Path lists (stdin `-`, --files-from) are NUL-separated.
    #[arg(short = '0', long = "null")]
    null: bool,
    /// Skip paths matching this glob (repeatable), e.g. `--exclude '**/rejected/**'`.
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Check only shard I of N (1-based): a stable split by path, e.g. `--shard 2/4`; `auto`
    /// takes I and N from the job runner (Kubernetes Indexed Job: JOB_COMPLETION_INDEX with
    /// PHOTOCHECK_SHARD_COUNT; Slurm array: SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT; GNU
    /// parallel: PARALLEL_SEQ with PHOTOCHECK_SHARD_COUNT).
    #[arg(long, value_name = "I/N|auto", value_parser = parse_shard)]
    shard: Option<ShardArg>,
    /// Resume a run: skip the photos that already have a result in this NDJSON report (an
    /// earlier run of the same spec, possibly cut off mid-line) and append the rest to it.
    /// Needs `--format ndjson`; a missing file starts it.
    #[arg(long, value_name = "REPORT.ndjson", conflicts_with_all = ["output", "expect", "fail_fast"])]
    resume: Option<PathBuf>,
    /// Stop after the first photo that fails or cannot be read.
    #[arg(long)]
    fail_fast: bool,
    /// Give up on a photo after this many seconds (its report is a `timeout` error).
    #[arg(long, value_name = "SECONDS")]
    timeout_per_file: Option<f64>,
    /// CSV layout: `wide` (one row per photo, a status and a value column per check) or
    /// `long` (one row per photo and check: value, unit, min, max, message, advice).
    #[arg(long, value_enum, default_value = "wide")]
    csv_layout: CsvLayoutArg,
    /// Start the CSV with a UTF-8 byte-order mark (for spreadsheet programs that otherwise
    /// misread Chinese text and symbols).
    #[arg(long)]
    csv_bom: bool,
    /// Language of the text report and annotated images (default: from LANG).
    #[arg(long, value_enum)]
    lang: Option<LangArg>,
}

/// `--shard`: a fixed shard, or `auto` (from the job runner's environment).
#[derive(Clone, Copy, Debug)]
pub(super) enum ShardArg {
    /// Shard I of N, 1-based.
    Fixed(u32, u32),
    /// From the environment ([`photocheck::shards::shard_from_env`]).
    Auto,
}

fn parse_shard(s: &str) -> Result<ShardArg, String> {
    if s.trim().eq_ignore_ascii_case("auto") {
        return Ok(ShardArg::Auto);
    }
    let (i, n) = s.split_once('/').ok_or("expected I/N, e.g. 2/4, or auto")?;
    let i: u32 = i.trim().parse().map_err(|_| "I must be a number")?;
    let n: u32 = n.trim().parse().map_err(|_| "N must be a number")?;
    if n == 0 || i == 0 || i > n {
        return Err(format!("shard {i}/{n}: need 1 <= I <= N"));
    }
    Ok(ShardArg::Fixed(i, n))
}

/// `photocheck check`: checks the photos and writes the report; the exit code says how they
/// did (see [`exit_code`]).
pub(super) fn check(args: CheckArgs) -> ExitCode {
    run(&args).unwrap_or_else(|code| code)
}

/// The jobs of `check`, in order: resolve the options, gather the inputs, start the engine,
/// open the report and its reporter, run the batch (writing annotated images as photos are
/// checked), put the report in place, then print the notes and pick the exit code. A step
/// that fails has printed why; its `Err` is the exit code.
fn run(args: &CheckArgs) -> Step<ExitCode> {
    let start = Instant::now();
    let options = Options::resolve(args)?;
    let mut inputs = inputs(args, options.shard)?;
    let mut earlier = Tally::default();
    let (sink, pending) = match &args.resume {
        Some(path) => {
            let (sink, done) = output::open_resumed(path, &options.spec.id, args.format)?;
            // The photos already in the report count in the summary and the exit code;
            // only the others are checked.
            for r in done.reports {
                let label = r.file.clone();
                if inputs
                    .iter()
                    .any(|i| i.path().display().to_string() == label)
                {
                    let mut r = r;
                    earlier.add(&mut r, None);
                }
            }
            inputs.retain(|i| !done.done.contains(&i.path().display().to_string()));
            if !args.quiet {
                eprintln!(
                    "photocheck: resuming {}: {} photos already checked, {} to go",
                    path.display(),
                    earlier.summary.checked,
                    inputs.len()
                );
            }
            (sink, None)
        }
        None => output::open_report(args.output.as_deref())?,
    };
    let engine = start_engine(args, &options, inputs.len())?;
    let reporter = reporter(args, &options, sink)?;
    let annotator = options
        .annotate
        .as_deref()
        .map(|dir| Annotator::new(dir, &options.spec, options.lang));
    let tally = run_batch(
        args,
        &options,
        &engine,
        &inputs,
        reporter,
        annotator.as_ref(),
        (start, earlier),
    )?;
    if let Some(p) = pending {
        p.persist()?;
    }
    if let Some(a) = &annotator {
        a.print_errors();
    }
    if let Some(path) = &args.write_expect {
        output::write_expectations(path, &tally.reports)?;
    }
    Ok(conclude(args, &options, inputs.len(), &tally))
}

/// What `check` needs from its arguments beyond the inputs, read and validated.
struct Options {
    spec: Spec,
    expectations: Option<Expectations>,
    /// The `--annotate` folder, created.
    annotate: Option<PathBuf>,
    lang: Lang,
    /// Photos checked at once: `--jobs`, else the number of cores.
    jobs: usize,
    /// This run's shard `(i, n)`: `--shard I/N`, or from the job runner with `auto`.
    shard: Option<(u32, u32)>,
}

impl Options {
    /// Whether an expected photo (its path as the batch would name it) is this run's: with
    /// `--shard`, when it falls in this shard.
    fn belongs(&self, path: &Path) -> bool {
        self.shard.is_none_or(|(i, n)| shard_of(path, n) == i)
    }
}

impl Options {
    /// The spec (`--spec-file`, else `--spec` through [`Spec::resolve`]), the expectations,
    /// the `--annotate` folder (created here), the language and the number of jobs.
    fn resolve(args: &CheckArgs) -> Step<Options> {
        let spec = match &args.spec_file {
            Some(path) => Spec::from_file(path),
            None => Spec::resolve(&args.spec),
        }
        .map_err(fail_usage)?;
        let expectations = args
            .expect
            .as_deref()
            .map(Expectations::from_file)
            .transpose()
            .map_err(fail_usage)?;
        if let Some(dir) = &args.annotate {
            if dir.exists() && !dir.is_dir() {
                return Err(fail_usage(format!(
                    "--annotate {} is a file, not a folder",
                    dir.display()
                )));
            }
            if let Err(e) = std::fs::create_dir_all(dir) {
                return Err(fail_usage(format!("--annotate {}: {e}", dir.display())));
            }
        }
        let lang = match args.lang {
            Some(LangArg::Zh) => Lang::Zh,
            Some(LangArg::En) => Lang::En,
            None => Lang::from_env(),
        };
        let jobs = args
            .jobs
            .map(usize::from)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        let shard = match args.shard {
            None => None,
            Some(ShardArg::Fixed(i, n)) => Some((i, n)),
            Some(ShardArg::Auto) => Some(
                photocheck::shards::shard_from_env(|k| std::env::var(k).ok())
                    .map_err(fail_usage)?,
            ),
        };
        Ok(Options {
            spec,
            expectations,
            annotate: args.annotate.clone(),
            lang,
            jobs,
            shard,
        })
    }
}

/// The inputs ([`gather_inputs`]), refusing an `--output` among them.
fn inputs(args: &CheckArgs, shard: Option<(u32, u32)>) -> Step<Vec<Input>> {
    let inputs = gather_inputs(args, shard).map_err(fail_usage)?;
    output::refuse_input_as_output(args.output.as_deref(), &inputs)?;
    Ok(inputs)
}

/// The batch's inputs: paths, `-` (stdin list) and `--files-from`, then `--exclude` (on
/// files found in folders and on paths read from lists; paths named on the command line are
/// always checked) and `--shard`.
fn gather_inputs(args: &CheckArgs, shard: Option<(u32, u32)>) -> Result<Vec<Input>, String> {
    // (path, read from a list)
    let mut paths: Vec<(PathBuf, bool)> = Vec::new();
    for p in &args.paths {
        if p.as_os_str() == "-" {
            let list = read_path_list(std::io::stdin().lock(), args.null)
                .map_err(|e| format!("cannot read paths from standard input: {e}"))?;
            paths.extend(list.into_iter().map(|p| (p, true)));
        } else {
            paths.push((p.clone(), false));
        }
    }
    if let Some(f) = &args.files_from {
        let file =
            std::fs::File::open(f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
        let list = read_path_list(file, args.null).map_err(|e| format!("{}: {e}", f.display()))?;
        paths.extend(list.into_iter().map(|p| (p, true)));
    }
    if paths.is_empty() {
        return Err("no photos given: name files or folders, `-` for a list on standard input, or --files-from".into());
    }
    let mut globs = globset::GlobSetBuilder::new();
    for g in &args.exclude {
        globs.add(globset::Glob::new(g).map_err(|e| format!("--exclude {g}: {e}"))?);
    }
    let globs = globs.build().map_err(|e| e.to_string())?;
    // A glob matches the path as found, the path below the folder given, or the file name.
    let excluded = |p: &Path, rel: &Path| {
        globs.is_match(p) || globs.is_match(rel) || p.file_name().is_some_and(|n| globs.is_match(n))
    };
    let paths: Vec<PathBuf> = paths
        .into_iter()
        .filter(|(p, listed)| !(*listed && excluded(p, p)))
        .map(|(p, _)| p)
        .collect();
    let mut inputs = collect_inputs_excluding(&paths, &excluded);
    if let Some((i, n)) = shard {
        inputs.retain(|input| shard_of(input.path(), n) == i);
    }
    Ok(inputs)
}

/// The engine, with `--timeout-per-file` and, when there are fewer photos than jobs, the
/// stages of one photo run in parallel.
fn start_engine(args: &CheckArgs, options: &Options, photos: usize) -> Step<Engine> {
    let limit = match args.timeout_per_file.map(Duration::try_from_secs_f64) {
        Some(Ok(d)) if !d.is_zero() => Some(d),
        Some(_) => {
            return Err(fail_usage(
                "--timeout-per-file must be a positive number of seconds (at most about 1.8e19)",
            ));
        }
        None => None,
    };
    let jobs = options.jobs;
    if photos >= 2 {
        one_malloc_arena();
    }
    // Fewer photos than jobs leaves cores idle: each photo then uses two threads.
    let engine = Engine::start()
        .map_err(fail_usage)?
        .with_time_limit(limit)
        .with_parallel_stages(jobs >= 2 && photos < jobs);
    Ok(engine)
}

/// For a batch: glibc's allocator then keeps a single arena. By default it gives each thread
/// that allocates an arena of its own (up to 8 per core) and keeps the pages freed in each;
/// the networks load on threads of their own, so a batch kept the freed pages of several
/// arenas resident. One arena keeps the peak memory of a one-core batch of 120 suite photos at
/// 61-64 MB instead of 75 MB (two cores 68 instead of 88 MB; `tools/vs_peer.sh`), at no
/// measurable cost to a batch's speed. A single photo keeps the default: its networks load
/// side by side, and sharing one arena made that cold call about 15 ms slower (median of 40
/// interleaved runs, 120 against 105 ms). Called before the engine starts its threads; other
/// platforms and allocators: nothing to do.
fn one_malloc_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter, read when a thread first allocates;
    // a refusal (return 0) leaves the default, which is correct too.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// The reporter of `--format`, writing to `sink`.
fn reporter(args: &CheckArgs, options: &Options, sink: Box<dyn Write>) -> Step<Box<dyn Reporter>> {
    if args.format == Format::Csv {
        let layout = match args.csv_layout {
            CsvLayoutArg::Wide => CsvLayout::Wide,
            CsvLayoutArg::Long => CsvLayout::Long,
        };
        let csv = CsvReporter::with_layout(sink, check_ids(&options.spec), layout, args.csv_bom)
            .map_err(fail_usage)?;
        return Ok(Box::new(csv));
    }
    make_reporter(
        (args.format, args.verbose, options.lang),
        &options.spec.id,
        check_ids(&options.spec),
        sink,
    )
}

/// A reporter of `format` (text: `verbose`, in `lang`) writing to `sink`; JUnit names its
/// suite `spec_id`, CSV has a column pair per id of `ids`.
pub(super) fn make_reporter(
    (format, verbose, lang): (Format, bool, Lang),
    spec_id: &str,
    ids: Vec<String>,
    sink: Box<dyn Write>,
) -> Step<Box<dyn Reporter>> {
    Ok(match format {
        Format::Text => Box::new(TextReporter::new(sink, verbose).with_lang(lang)),
        Format::Json => Box::new(JsonReporter::new(sink)),
        Format::Ndjson => Box::new(NdjsonReporter::new(sink)),
        Format::Junit => Box::new(JunitReporter::new(sink, spec_id)),
        Format::Csv => Box::new(CsvReporter::new(sink, ids).map_err(fail_usage)?),
    })
}

/// What the batch saw: the summary, and with `--expect` how the photos compared.
#[derive(Default)]
struct Tally {
    summary: Summary,
    /// Photos checked (with `--expect` only).
    seen: Vec<String>,
    /// Photos whose expectation was not met.
    unmet: usize,
    /// Photos that had an expectation.
    seen_with_expectation: usize,
    /// Expected photos of this run that were not checked.
    missing: Vec<String>,
    /// Every report, for `--write-expect`.
    reports: Vec<FileReport>,
}

impl Tally {
    /// Counts one report and, with expectations, sets its expectation outcome.
    fn add(&mut self, r: &mut FileReport, expectations: Option<&Expectations>) {
        self.summary.add(r);
        if let Some(exp) = expectations {
            r.expectation = exp.compare(r);
            self.seen_with_expectation += usize::from(r.expectation.is_some());
            if r.expectation.as_ref().is_some_and(|o| !o.met) {
                self.unmet += 1;
            }
            self.seen.push(r.file.clone());
        }
    }
}

/// Checks every input, reporting each as it comes (with a progress bar on a terminal and an
/// annotated image per photo with `--annotate`), then closes the report.
///
/// Stops with exit code 2 when the report cannot be written (silently on a closed pipe).
fn run_batch(
    args: &CheckArgs,
    options: &Options,
    engine: &Engine,
    inputs: &[Input],
    mut reporter: Box<dyn Reporter>,
    annotator: Option<&Annotator>,
    (start, earlier): (Instant, Tally),
) -> Step<Tally> {
    let progress = progress_bar(args, inputs.len());
    let draw = |photo: &photocheck::decode::Photo,
                analysis: &photocheck::analysis::Analysis,
                report: &FileReport|
     -> photocheck::Result<()> {
        if let Some(a) = annotator {
            a.draw(photo, analysis, report);
        }
        Ok(())
    };
    let batch = BatchOptions {
        jobs: options.jobs,
        fail_fast: args.fail_fast,
        then: annotator.is_some().then_some(&draw as _),
    };
    let mut tally = earlier;
    let expectations = options.expectations.as_ref();
    let keep = args.write_expect.is_some();
    let result = check_inputs(engine, &options.spec, inputs, &batch, |mut r| {
        tally.add(&mut r, expectations);
        if keep {
            tally.reports.push(r.clone());
        }
        if let Some(bar) = &progress {
            bar.inc(1);
            bar.set_message(format!(
                "{} failed, {} errors",
                tally.summary.failed, tally.summary.errors
            ));
        }
        reporter.report(&r)
    });
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    // Expected photos of this run (of its shard) that were not checked: each reported as a
    // photo not as expected, so that it shows in every format (a failing JUnit case).
    // --exclude and --fail-fast leave photos out on purpose.
    let result = result.and_then(|()| {
        let Some(exp) = expectations.filter(|_| args.exclude.is_empty() && !args.fail_fast) else {
            return Ok(());
        };
        tally.missing = exp
            .missing_of(&tally.seen, |p| options.belongs(p))
            .into_iter()
            .map(str::to_string)
            .collect();
        for file in &tally.missing {
            reporter.report(&missing_report(file, &options.spec.id))?;
        }
        Ok(())
    });
    tally.summary.elapsed_s = start.elapsed().as_secs_f64();
    let result = result.and_then(|()| reporter.finish(&tally.summary));
    drop(reporter);
    if let Err(e) = result {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("photocheck: cannot write the report: {e}");
        }
        return Err(ExitCode::from(EXIT_ERROR));
    }
    Ok(tally)
}

/// The report of an expected photo that this run did not check: an error (`not_found`) not
/// as expected.
fn missing_report(file: &str, spec: &str) -> FileReport {
    let why = "expected by the --expect file but not checked in this run (not among the inputs)";
    let mut r = FileReport::from_error(file, spec, &photocheck::Error::NotFound(file.into()));
    if let Some(e) = r.error.as_mut() {
        e.message = format!("{file}: {why}");
    }
    r.expectation = Some(photocheck::expect::ExpectationOutcome {
        met: false,
        mismatches: vec![format!("missing: {why}")],
    });
    r
}

/// A progress bar on standard error when it is a terminal, more than one photo is checked
/// and `--quiet` is not given.
fn progress_bar(args: &CheckArgs, photos: usize) -> Option<indicatif::ProgressBar> {
    (!args.quiet && std::io::stderr().is_terminal() && photos > 1).then(|| {
        let bar = indicatif::ProgressBar::new(photos as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:30} {pos}/{len} photos  {per_sec}  ETA {eta}  {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    })
}

/// The notes on standard error after the report ([`print_notes`]) and the exit code
/// ([`exit_code`]).
fn conclude(args: &CheckArgs, options: &Options, photos: usize, tally: &Tally) -> ExitCode {
    let missing: Vec<&str> = tally.missing.iter().map(String::as_str).collect();
    if !args.quiet {
        // With -o (or --resume) the report is in a file: say how it went here too.
        if args.output.is_some() || args.resume.is_some() {
            eprintln!(
                "{}",
                photocheck::report::summary_line(&tally.summary, options.lang)
            );
        }
        print_notes(args, options, photos, tally, &missing);
    }
    exit_code(args, options, tally, &missing)
}

/// Photos left unchecked by `--fail-fast`, and how the photos compared with `--expect`.
fn print_notes(
    args: &CheckArgs,
    options: &Options,
    photos: usize,
    tally: &Tally,
    missing: &[&str],
) {
    let summary = &tally.summary;
    if args.fail_fast && summary.checked < photos {
        eprintln!(
            "photocheck: stopped after the first failure (--fail-fast); {} of {} photos not checked",
            photos - summary.checked,
            photos
        );
    }
    if let Some(exp) = &options.expectations {
        // With --shard, only the expected photos of this shard are this run's.
        let expected = exp.count_of(|p| options.belongs(p));
        eprintln!(
            "photocheck: expectations: {} of {} photos as expected, {} not, {} missing",
            expected.saturating_sub(tally.unmet + missing.len()),
            expected,
            tally.unmet,
            missing.len()
        );
        for m in missing {
            eprintln!("photocheck: expected photo not checked: {m}");
        }
        let unlisted = summary.checked.saturating_sub(tally.seen_with_expectation);
        if unlisted > 0 {
            eprintln!(
                "photocheck: {unlisted} checked photos have no expectation (judged by their verdict)"
            );
        }
    }
}

/// 0 when every photo passed, 1 when one failed a rule, 2 when one could not be checked or
/// none was found (an empty `--shard`/`--exclude` selection is 0). With `--expect`: 0 when
/// every expectation is met and no expected photo is missing, else 1.
fn exit_code(args: &CheckArgs, options: &Options, tally: &Tally, missing: &[&str]) -> ExitCode {
    let summary = &tally.summary;
    if summary.checked == 0 {
        if args.shard.is_some() || !args.exclude.is_empty() {
            // An empty shard of a CI matrix, or everything excluded: nothing to check is fine.
            if !args.quiet {
                eprintln!("photocheck: no photos left after --shard/--exclude");
            }
            return ExitCode::from(EXIT_PASS);
        }
        eprintln!("photocheck: no image files found in the given paths");
        return ExitCode::from(EXIT_ERROR);
    }
    if options.expectations.is_some() {
        // With --expect, the exit code says whether reality matches the expectations.
        return ExitCode::from(if tally.unmet == 0 && missing.is_empty() {
            EXIT_PASS
        } else {
            EXIT_FAIL
        });
    }
    if summary.errors > 0 {
        ExitCode::from(EXIT_ERROR)
    } else if summary.failed > 0 {
        ExitCode::from(EXIT_FAIL)
    } else {
        ExitCode::from(EXIT_PASS)
    }
}
