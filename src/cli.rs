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
        /// Spec id or alias.
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
    #[arg(long, default_value = "cn-driving-licence")]
    spec: String,
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

fn specs(action: Option<SpecsAction>) -> ExitCode {
    match action {
        None => {
            for s in Spec::presets() {
                println!("{}  {}", s.id, s.name);
                if !s.aliases.is_empty() {
                    println!("    aliases: {}", s.aliases.join(", "));
                }
                println!(
                    "    photo {} x {} mm{}",
                    s.photo.width_mm,
                    s.photo.height_mm,
                    s.photo
                        .dpi
                        .map_or(String::new(), |d| format!(" at {d} dpi"))
                );
                let r = &s.rules;
                if let Some(h) = &r.head_length {
                    println!(
                        "    head length {}-{} mm (crown: {:?})",
                        h.min_mm, h.max_mm, h.crown
                    );
                }
                if let Some(w) = &r.head_width {
                    println!(
                        "    head width {}-{} mm (basis: {:?})",
                        w.min_mm, w.max_mm, w.basis
                    );
                }
                if let Some(c) = &r.crown_margin {
                    println!("    crown margin {:.2}-{:.2} mm", c.min_mm, c.max_mm);
                }
                if let Some(p) = &r.image_pixels {
                    println!("    image {}x{} px", p.width_px, p.height_px);
                }
                if let Some(b) = &r.background_white {
                    println!(
                        "    white background: mean L* >= {}, chroma <= {}",
                        b.min_mean_lightness, b.max_mean_chroma
                    );
                }
                if let Some(p) = &r.pose {
                    println!(
                        "    pose: |yaw| <= {}, |pitch| <= {}, |roll| <= {} deg",
                        p.max_yaw_deg, p.max_pitch_deg, p.max_roll_deg
                    );
                }
            }
            ExitCode::from(EXIT_PASS)
        }
        Some(SpecsAction::Show { id }) => match Spec::preset(&id) {
            Ok(s) => {
                print!("{}", s.to_toml());
                ExitCode::from(EXIT_PASS)
            }
            Err(e) => {
                eprintln!("photocheck: {e}");
                ExitCode::from(EXIT_ERROR)
            }
        },
    }
}

fn check(args: CheckArgs) -> ExitCode {
    let start = Instant::now();
    let spec = match Spec::preset(&args.spec) {
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
