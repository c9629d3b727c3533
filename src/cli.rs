//! Command-line arguments and their translation into library calls.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};
use photocheck::batch::{check_inputs, collect_inputs};
use photocheck::report::{JsonReporter, NdjsonReporter, Reporter, Summary, TextReporter, Verdict};
use photocheck::{Engine, Spec};

/// Exit code: every photo passed.
const EXIT_PASS: u8 = 0;
/// Exit code: at least one photo failed a rule.
const EXIT_FAIL: u8 = 1;
/// Exit code: usage error, or at least one input could not be read or decoded.
const EXIT_ERROR: u8 = 2;

#[derive(Parser)]
#[command(
    name = "photocheck",
    version,
    about = "Checks ID photos against a document's photo rules, rule by rule",
    after_help = "Exit codes: 0 all photos pass, 1 some photo fails a rule, 2 usage error or an input could not be read."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check photo files and folders (folders recursively; image files found by content).
    Check(CheckArgs),
    /// List the built-in specs, or print one as TOML.
    Specs {
        #[command(subcommand)]
        action: Option<SpecsAction>,
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
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Photo files or folders.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Spec id or alias (see `photocheck specs`).
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
    /// Show every check with its value and range (text format).
    #[arg(short, long)]
    verbose: bool,
    /// Photos checked in parallel (default: all cores).
    #[arg(long)]
    jobs: Option<usize>,
}

pub fn main() -> ExitCode {
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
        Command::Check(args) => check(args),
        Command::Specs { action } => specs(action),
    }
}

/// The main rules of a spec, one short line each (for `photocheck specs`).
fn spec_summary(s: &Spec) -> Vec<String> {
    let r = &s.rules;
    let mut lines = Vec::new();
    let mut px = Vec::new();
    if let Some(p) = &r.image_pixels {
        match (p.width_px, p.height_px) {
            (Some(w), Some(h)) => px.push(format!("{w}x{h} px")),
            _ => {
                if let (Some(w), Some(h)) = (p.min_width_px, p.min_height_px) {
                    px.push(format!("at least {w}x{h} px"));
                }
                if let (Some(w), Some(h)) = (p.max_width_px, p.max_height_px) {
                    px.push(format!("at most {w}x{h} px"));
                }
            }
        }
    }
    if let Some(d) = s.photo.dpi {
        px.push(format!("{d} dpi"));
    }
    lines.push(format!(
        "photo {} x {} mm{}",
        s.photo.width_mm,
        s.photo.height_mm,
        if px.is_empty() {
            String::new()
        } else {
            format!(" ({})", px.join(", "))
        }
    ));
    if let Some(h) = &r.head_length {
        let crown = match h.crown {
            photocheck::spec::CrownBasis::Hair => "top of hair",
            photocheck::spec::CrownBasis::Skull => "top of skull",
        };
        lines.push(format!(
            "head length {}-{} mm ({crown} to chin)",
            h.min_mm, h.max_mm
        ));
    }
    if let Some(w) = &r.head_width {
        let basis = match w.basis {
            photocheck::spec::WidthBasis::Ears => "outer ear to outer ear",
            photocheck::spec::WidthBasis::EarRoots => "at the ear roots",
            photocheck::spec::WidthBasis::Silhouette => "hair silhouette",
        };
        lines.push(format!("head width {}-{} mm ({basis})", w.min_mm, w.max_mm));
    }
    if let Some(c) = &r.crown_margin {
        lines.push(format!(
            "space above the head {:.2}-{:.2} mm",
            c.min_mm, c.max_mm
        ));
    }
    let bounds = |lo: Option<f64>, hi: Option<f64>, unit: &str| match (lo, hi) {
        (Some(l), Some(h)) => format!("{l}-{h} {unit}"),
        (Some(l), None) => format!("at least {l} {unit}"),
        (None, Some(h)) => format!("at most {h} {unit}"),
        (None, None) => String::new(),
    };
    if let Some(c) = &r.chin_margin {
        lines.push(format!(
            "space below the chin {}",
            bounds(c.min_mm, c.max_mm, "mm")
        ));
    }
    if let Some(e) = &r.eye_line {
        let edge = match e.from {
            photocheck::spec::EyeLineFrom::Bottom => "bottom",
            photocheck::spec::EyeLineFrom::Top => "top",
        };
        let b = if e.min_share.is_some() || e.max_share.is_some() {
            bounds(e.min_share, e.max_share, "of the height")
        } else {
            bounds(e.min_mm, e.max_mm, "mm")
        };
        lines.push(format!("eyes {b} from the {edge}"));
    }
    if r.background_white.is_some() {
        lines.push("white background".into());
    }
    if let Some(b) = &r.background_colour {
        let names: Vec<&str> = b.colours.iter().map(|c| c.name.as_str()).collect();
        lines.push(format!("background {}", names.join(" or ")));
    }
    if r.colour_photo.is_some() {
        lines.push("colour photo".into());
    }
    if let Some(f) = &r.file_format {
        lines.push(format!("file {}", f.formats.join("/")));
    }
    lines
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

fn check(args: CheckArgs) -> ExitCode {
    let start = Instant::now();
    let spec = match &args.spec_file {
        Some(path) => Spec::from_file(path),
        None => Spec::preset(&args.spec),
    };
    let spec = match spec {
        Ok(s) => s,
        Err(e) => {
            eprintln!("photocheck: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let engine = match Engine::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("photocheck: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let inputs = collect_inputs(&args.paths);
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let stdout = std::io::stdout().lock();
    let mut reporter: Box<dyn Reporter> = match args.format {
        Format::Text => Box::new(TextReporter::new(stdout, args.verbose)),
        Format::Json => Box::new(JsonReporter::new(stdout)),
        Format::Ndjson => Box::new(NdjsonReporter::new(stdout)),
    };
    let mut summary = Summary::default();
    let result = check_inputs(&engine, &spec, &inputs, jobs, |r| {
        summary.add(&r);
        reporter.report(&r)
    });
    summary.elapsed_s = start.elapsed().as_secs_f64();
    let result = result.and_then(|()| reporter.finish(&summary));
    if let Err(e) = result {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("photocheck: cannot write the report: {e}");
        }
        return ExitCode::from(EXIT_ERROR);
    }
    let _ = std::io::stderr().flush();
    if summary.errors > 0 || summary.checked == 0 {
        if summary.checked == 0 {
            eprintln!("photocheck: no image files found in the given paths");
        }
        ExitCode::from(EXIT_ERROR)
    } else if summary.failed > 0 {
        ExitCode::from(EXIT_FAIL)
    } else {
        let _ = Verdict::Pass;
        ExitCode::from(EXIT_PASS)
    }
}
