//! Command-line arguments and their translation into library calls.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Instant;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use photocheck::batch::{
    BatchOptions, Input, check_inputs, collect_inputs_excluding, read_path_list, shard_of,
};
use photocheck::checks::check_ids;
use photocheck::expect::Expectations;
use photocheck::report::annotate::annotate;
use photocheck::report::{
    CsvReporter, JsonReporter, JunitReporter, Lang, NdjsonReporter, Reporter, Summary, TextReporter,
};
use photocheck::{Engine, Spec};

/// Exit code: every photo passed (with `--expect`: every expectation met).
const EXIT_PASS: u8 = 0;
/// Exit code: at least one photo failed a rule (with `--expect`: an expectation was not met).
const EXIT_FAIL: u8 = 1;
/// Exit code: usage error, no image found, or at least one input could not be read.
const EXIT_ERROR: u8 = 2;

#[derive(Parser)]
#[command(
    name = "photocheck",
    version,
    about = "Checks ID photos against a document's photo rules, rule by rule",
    after_help = "Exit codes: 0 all photos pass, 1 some photo fails a rule (with --expect: an expectation is not met), 2 usage error, no image found, an input could not be read, or the report could not be written."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check photo files and folders (folders recursively; image files found by content).
    Check(Box<CheckArgs>),
    /// List the built-in specs, or print one as TOML.
    Specs {
        #[command(subcommand)]
        action: Option<SpecsAction>,
    },
    /// Run the HTTP service: POST /v1/check, GET /v1/specs, /healthz, /metrics, and a web page at /.
    #[cfg(feature = "serve")]
    Serve(ServeArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print a manual page (roff) to standard output: the program's, or a subcommand's.
    Man {
        /// `check`, `specs`, `serve`, `completions` or `man`; none for the main page.
        subcommand: Option<String>,
    },
}

#[derive(Subcommand)]
enum SpecsAction {
    /// Print a spec as TOML, ready to copy and edit.
    Show {
        /// Spec id or alias, or a spec file (printed with its `extends` resolved).
        id: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
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

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    /// English.
    En,
    /// Simplified Chinese.
    Zh,
}

#[derive(clap::Args)]
struct CheckArgs {
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
    /// Check only shard I of N (1-based): a stable split by path, e.g. `--shard 2/4`.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    shard: Option<(u32, u32)>,
    /// Stop after the first photo that fails or cannot be read.
    #[arg(long)]
    fail_fast: bool,
    /// Give up on a photo after this many seconds (its report is a `timeout` error).
    #[arg(long, value_name = "SECONDS")]
    timeout_per_file: Option<f64>,
    /// Language of the text report and annotated images (default: from LANG).
    #[arg(long, value_enum)]
    lang: Option<LangArg>,
}

#[cfg(feature = "serve")]
#[derive(clap::Args)]
struct ServeArgs {
    /// Address and port to listen on (`0.0.0.0:8080` for every interface; port 0 picks a free one).
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    listen: String,
    /// Spec used when a request names none (`?spec=`): id or alias, or a spec file.
    #[arg(long, value_name = "ID", default_value = "cn-driving-licence")]
    spec: String,
    /// Photos checked at the same time, one core each (default: all cores).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    max_concurrent: Option<u16>,
    /// Check requests that may wait for a free slot; beyond that the answer is 503 `busy`.
    #[arg(long, value_name = "N", default_value_t = 32)]
    queue: usize,
    /// Deadline per check request in seconds: upload, wait and check (504 `timeout`).
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    timeout: f64,
    /// Largest request body (413 `body_too_large`): bytes, or with K, M, G (KiB, MiB, GiB).
    #[arg(long, value_name = "SIZE", default_value = "15M", value_parser = parse_size)]
    max_body: usize,
    /// Let web pages from this origin call the service (CORS), e.g. `https://forms.example.org`;
    /// repeatable; `*` for any origin.
    #[arg(long, value_name = "ORIGIN")]
    cors_origin: Vec<String>,
}

/// `15M`, `512K`, `1G`, `2000000` (K, M, G: 1024-based; an optional `B` or `iB` is accepted).
#[cfg(feature = "serve")]
fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(t);
    let (num, shift) = match t.chars().last().map(|c| c.to_ascii_uppercase()) {
        Some('K') => (&t[..t.len() - 1], 10),
        Some('M') => (&t[..t.len() - 1], 20),
        Some('G') => (&t[..t.len() - 1], 30),
        _ => (t, 0),
    };
    let n: usize = num
        .trim()
        .parse()
        .map_err(|_| format!("`{s}`: expected a size such as 15M, 512K or 2000000"))?;
    n.checked_mul(1 << shift)
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("`{s}`: must be positive and fit in memory"))
}

fn parse_shard(s: &str) -> Result<(u32, u32), String> {
    let (i, n) = s.split_once('/').ok_or("expected I/N, e.g. 2/4")?;
    let i: u32 = i.trim().parse().map_err(|_| "I must be a number")?;
    let n: u32 = n.trim().parse().map_err(|_| "N must be a number")?;
    if n == 0 || i == 0 || i > n {
        return Err(format!("shard {i}/{n}: need 1 <= I <= N"));
    }
    Ok((i, n))
}

pub fn main() -> ExitCode {
    // A panic inside a dependency is caught per photo and reported as that photo's error;
    // the default hook would also print it to stderr, mid-report.
    // Panics on the main thread are bugs of photocheck itself and are still shown.
    std::panic::set_hook(Box::new(|info| {
        if std::thread::current().name() == Some("main") {
            eprintln!("photocheck: internal error: {info}");
        }
    }));
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_PASS
            });
        }
    };
    match cli.command {
        Command::Check(args) => check(*args),
        Command::Specs { action } => specs(action),
        #[cfg(feature = "serve")]
        Command::Serve(args) => run_serve(args),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "photocheck",
                &mut std::io::stdout(),
            );
            ExitCode::from(EXIT_PASS)
        }
        Command::Man { subcommand } => {
            let cmd = Cli::command();
            let cmd = match &subcommand {
                None => cmd,
                Some(name) => match cmd.find_subcommand(name) {
                    Some(sub) => sub
                        .clone()
                        .name(Box::leak(format!("photocheck-{name}").into_boxed_str()) as &str),
                    None => return fail_usage(format!("no subcommand `{name}`")),
                },
            };
            let man = clap_mangen::Man::new(cmd);
            match man.render(&mut std::io::stdout()) {
                Ok(()) => ExitCode::from(EXIT_PASS),
                Err(e) => {
                    eprintln!("photocheck: {e}");
                    ExitCode::from(EXIT_ERROR)
                }
            }
        }
    }
}

/// The main rules of a spec, one short line each (for `photocheck specs`).
fn spec_summary(s: &Spec) -> Vec<String> {
    s.summary()
}

fn specs(action: Option<SpecsAction>) -> ExitCode {
    match action {
        None => {
            for s in Spec::presets() {
                println!("{}  {}", s.id, s.name);
                if !s.aliases.is_empty() {
                    println!("    aliases: {}", s.aliases.join(", "));
                }
                for line in spec_summary(&s) {
                    println!("    {line}");
                }
            }
            println!(
                "\n`photocheck specs show ID` prints a spec as TOML; `--spec-file FILE` checks against your own."
            );
            ExitCode::from(EXIT_PASS)
        }
        Some(SpecsAction::Show { id }) => {
            let spec = if std::path::Path::new(&id).is_file() {
                Spec::from_file(std::path::Path::new(&id))
            } else {
                Spec::preset(&id)
            };
            match spec {
                Ok(s) => {
                    print!("{}", s.to_toml());
                    ExitCode::from(EXIT_PASS)
                }
                Err(e) => {
                    eprintln!("photocheck: {e}");
                    ExitCode::from(EXIT_ERROR)
                }
            }
        }
    }
}

/// Runs the HTTP service until Ctrl-C or SIGTERM.
#[cfg(feature = "serve")]
fn run_serve(args: ServeArgs) -> ExitCode {
    use photocheck::serve::{ServeOptions, serve};
    let spec = if Path::new(&args.spec).is_file() {
        Spec::from_file(Path::new(&args.spec))
    } else {
        Spec::preset(&args.spec)
    };
    let spec = match spec {
        Ok(s) => s,
        Err(e) => return fail_usage(e),
    };
    let timeout = match std::time::Duration::try_from_secs_f64(args.timeout) {
        Ok(d) if !d.is_zero() => d,
        _ => return fail_usage("--timeout must be a positive number of seconds"),
    };
    let defaults = ServeOptions::default();
    let options = ServeOptions {
        default_spec: spec,
        max_concurrent: args
            .max_concurrent
            .map_or(defaults.max_concurrent, usize::from),
        queue: args.queue,
        timeout,
        max_body: args.max_body,
        cors_origins: args.cors_origin,
    };
    let engine = match Engine::new() {
        Ok(e) => e,
        Err(e) => return fail_usage(e),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail_usage(format!("cannot start the runtime: {e}")),
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(&args.listen).await {
            Ok(l) => l,
            Err(e) => return fail_usage(format!("--listen {}: {e}", args.listen)),
        };
        let addr = listener
            .local_addr()
            .map_or(args.listen.clone(), |a| a.to_string());
        eprintln!(
            "photocheck: serving http://{addr}/ (spec {}; {} checks at a time, {} waiting; timeout {} s; body up to {} bytes); Ctrl-C stops",
            options.default_spec.id,
            options.max_concurrent,
            options.queue,
            args.timeout,
            options.max_body
        );
        match serve(listener, engine, options, shutdown_signal()).await {
            Ok(()) => ExitCode::from(EXIT_PASS),
            Err(e) => fail_usage(e),
        }
    })
}

/// Completes on Ctrl-C or, on Unix, SIGTERM (what `docker stop` and systemd send).
#[cfg(feature = "serve")]
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    eprintln!("photocheck: stopping; finishing the requests in flight");
}

fn fail_usage(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("photocheck: {msg}");
    ExitCode::from(EXIT_ERROR)
}

/// The batch's inputs: paths, `-` (stdin list) and `--files-from`, then `--exclude` and
/// `--shard`.
fn gather_inputs(args: &CheckArgs) -> Result<Vec<Input>, String> {
    let mut paths = Vec::new();
    for p in &args.paths {
        if p.as_os_str() == "-" {
            let list = read_path_list(std::io::stdin().lock(), args.null)
                .map_err(|e| format!("cannot read paths from standard input: {e}"))?;
            paths.extend(list);
        } else {
            paths.push(p.clone());
        }
    }
    if let Some(f) = &args.files_from {
        let file =
            std::fs::File::open(f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
        paths.extend(read_path_list(file, args.null).map_err(|e| format!("{}: {e}", f.display()))?);
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
    let mut inputs = collect_inputs_excluding(&paths, &excluded);
    if let Some((i, n)) = args.shard {
        inputs.retain(|input| shard_of(input.path(), n) == i);
    }
    Ok(inputs)
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

/// Writes `img` as PNG at [`annotated_path`], never replacing a file (a clash gets `-1`,
/// `-2`, ... suffixes), through a temporary file renamed into place.
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
    img.write_to(
        &mut std::io::BufWriter::new(tmp.as_file_mut()),
        image::ImageFormat::Png,
    )
    .map_err(|e| io(std::io::Error::other(e)))?;
    for k in 0.. {
        let name = if k == 0 {
            format!("{stem}.png")
        } else {
            format!("{stem}-{k}.png")
        };
        let target = folder.join(name);
        // persist_noclobber never replaces an existing file (an input included).
        match tmp.persist_noclobber(&target) {
            Ok(_) => return Ok(target),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => tmp = e.file,
            Err(e) => return Err(io(e.error)),
        }
    }
    unreachable!("the loop returns")
}

fn check(args: CheckArgs) -> ExitCode {
    let start = Instant::now();
    let spec = match &args.spec_file {
        Some(path) => Spec::from_file(path),
        None if Path::new(&args.spec).is_file() => Spec::from_file(Path::new(&args.spec)),
        None => Spec::preset(&args.spec),
    };
    let spec = match spec {
        Ok(s) => s,
        Err(e) => return fail_usage(e),
    };
    let expectations = match args
        .expect
        .as_deref()
        .map(Expectations::from_file)
        .transpose()
    {
        Ok(e) => e,
        Err(e) => return fail_usage(e),
    };
    if let Some(dir) = &args.annotate {
        if dir.exists() && !dir.is_dir() {
            return fail_usage(format!(
                "--annotate {} is a file, not a folder",
                dir.display()
            ));
        }
        if let Err(e) = std::fs::create_dir_all(dir) {
            return fail_usage(format!("--annotate {}: {e}", dir.display()));
        }
    }
    let inputs = match gather_inputs(&args) {
        Ok(i) => i,
        Err(e) => return fail_usage(e),
    };
    if let Some(out) = &args.output {
        let out_c = out.canonicalize().ok();
        if inputs
            .iter()
            .any(|i| i.path() == out || out_c.is_some() && i.path().canonicalize().ok() == out_c)
        {
            return fail_usage(format!(
                "--output {} is one of the inputs; it would be replaced",
                out.display()
            ));
        }
    }
    let limit = match args
        .timeout_per_file
        .map(std::time::Duration::try_from_secs_f64)
    {
        Some(Ok(d)) if !d.is_zero() => Some(d),
        Some(_) => {
            return fail_usage(
                "--timeout-per-file must be a positive number of seconds (at most about 1.8e19)",
            );
        }
        None => None,
    };
    let jobs = args
        .jobs
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    // Fewer photos than jobs leaves cores idle: each photo then uses two threads.
    let engine = match Engine::start() {
        Ok(e) => e
            .with_time_limit(limit)
            .with_parallel_stages(jobs >= 2 && inputs.len() < jobs),
        Err(e) => return fail_usage(e),
    };
    let lang = match args.lang {
        Some(LangArg::Zh) => Lang::Zh,
        Some(LangArg::En) => Lang::En,
        None => Lang::from_env(),
    };

    // Where the report goes: standard output, or a temporary file renamed at the end.
    let mut tmp_out = None;
    let sink: Box<dyn Write> = match &args.output {
        None => Box::new(std::io::stdout().lock()),
        Some(path) => {
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            if path.is_dir() {
                return fail_usage(format!(
                    "--output {} is a folder; give a file name",
                    path.display()
                ));
            }
            if !dir.is_dir() {
                return fail_usage(format!(
                    "--output {}: the folder {} does not exist",
                    path.display(),
                    dir.display()
                ));
            }
            // A symbolic link (/dev/stdout), device (/dev/null), FIFO or socket is written
            // through: renaming a finished file over it would replace the link or device.
            let special = std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_file());
            if special {
                let opened = std::fs::OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(true)
                    .open(path);
                match opened {
                    Ok(f) => Box::new(std::io::BufWriter::new(f)),
                    Err(e) => return fail_usage(format!("--output {}: {e}", path.display())),
                }
            } else {
                match temp_beside(path) {
                    Ok(t) => {
                        let w = t.reopen();
                        tmp_out = Some(t);
                        match w {
                            Ok(f) => Box::new(std::io::BufWriter::new(f)),
                            Err(e) => {
                                return fail_usage(format!("--output {}: {e}", path.display()));
                            }
                        }
                    }
                    Err(e) => return fail_usage(format!("--output {}: {e}", path.display())),
                }
            }
        }
    };
    let mut reporter: Box<dyn Reporter> = match args.format {
        Format::Text => Box::new(TextReporter::new(sink, args.verbose).with_lang(lang)),
        Format::Json => Box::new(JsonReporter::new(sink)),
        Format::Ndjson => Box::new(NdjsonReporter::new(sink)),
        Format::Junit => Box::new(JunitReporter::new(sink, &spec.id)),
        Format::Csv => match CsvReporter::new(sink, check_ids(&spec)) {
            Ok(r) => Box::new(r),
            Err(e) => return fail_usage(e),
        },
    };

    let progress =
        (!args.quiet && std::io::stderr().is_terminal() && inputs.len() > 1).then(|| {
            let bar = indicatif::ProgressBar::new(inputs.len() as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:30} {pos}/{len} photos  {per_sec}  ETA {eta}  {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
    let annotate_dir = args.annotate.clone();
    let annotate_errors = Mutex::new(Vec::new());
    let draw = |photo: &photocheck::decode::Photo,
                analysis: &photocheck::analysis::Analysis,
                report: &photocheck::FileReport|
     -> photocheck::Result<()> {
        if let Some(dir) = &annotate_dir {
            let img = annotate(&photo.image, analysis, report, &spec, lang);
            if let (Err(e), Ok(mut v)) = (
                write_annotated(dir, &report.file, &img),
                annotate_errors.lock(),
            ) {
                v.push(format!("{}: annotated image not written: {e}", report.file));
            }
        }
        Ok(())
    };
    let options = BatchOptions {
        jobs,
        fail_fast: args.fail_fast,
        then: args.annotate.is_some().then_some(&draw as _),
    };

    let mut summary = Summary::default();
    let mut seen = Vec::new();
    let mut unmet = 0usize;
    let mut seen_with_expectation = 0usize;
    let result = check_inputs(&engine, &spec, &inputs, &options, |mut r| {
        summary.add(&r);
        if let Some(exp) = &expectations {
            r.expectation = exp.compare(&r);
            seen_with_expectation += usize::from(r.expectation.is_some());
            if r.expectation.as_ref().is_some_and(|o| !o.met) {
                unmet += 1;
            }
            seen.push(r.file.clone());
        }
        if let Some(bar) = &progress {
            bar.inc(1);
            bar.set_message(format!(
                "{} failed, {} errors",
                summary.failed, summary.errors
            ));
        }
        reporter.report(&r)
    });
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    summary.elapsed_s = start.elapsed().as_secs_f64();
    let result = result.and_then(|()| reporter.finish(&summary));
    drop(reporter);
    if let Err(e) = result {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("photocheck: cannot write the report: {e}");
        }
        return ExitCode::from(EXIT_ERROR);
    }
    if let (Some(t), Some(path)) = (tmp_out, &args.output)
        && let Err(e) = t.persist(path)
    {
        return fail_usage(format!("--output {}: {}", path.display(), e.error));
    }
    if let Ok(errs) = annotate_errors.lock() {
        for e in errs.iter() {
            eprintln!("photocheck: {e}");
        }
    }
    // With --shard, --exclude or --fail-fast only part of the photos is checked on purpose:
    // expectations for the others are not missing.
    let partial = args.shard.is_some() || !args.exclude.is_empty() || args.fail_fast;
    let missing = if partial {
        Vec::new()
    } else {
        expectations
            .as_ref()
            .map(|e| e.missing(&seen))
            .unwrap_or_default()
    };
    if !args.quiet {
        if args.fail_fast && summary.checked < inputs.len() {
            eprintln!(
                "photocheck: stopped after the first failure (--fail-fast); {} of {} photos not checked",
                inputs.len() - summary.checked,
                inputs.len()
            );
        }
        if let Some(exp) = &expectations {
            eprintln!(
                "photocheck: expectations: {} of {} photos as expected, {unmet} not, {} missing",
                exp.len() - unmet - missing.len(),
                exp.len(),
                missing.len()
            );
            for m in &missing {
                eprintln!("photocheck: expected photo not checked: {m}");
            }
            let unlisted = summary.checked.saturating_sub(seen_with_expectation);
            if unlisted > 0 {
                eprintln!(
                    "photocheck: {unlisted} checked photos have no expectation (judged by their verdict)"
                );
            }
        }
    }
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
    if expectations.is_some() {
        // With --expect, the exit code says whether reality matches the expectations.
        return ExitCode::from(if unmet == 0 && missing.is_empty() {
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
