//! Command-line arguments and their translation into library calls: one file per
//! subcommand (`check`, `specs`, `serve`); `completions` and `man` are small and live here.

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

mod check;
mod fix;
mod merge;
mod output;
#[cfg(feature = "serve")]
mod serve;
mod specs;

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
    Check(Box<check::CheckArgs>),
    /// Crop, scale and level photos into a spec's frame; write NAME.fixed.jpg and check it again.
    Fix(fix::FixArgs),
    /// Merge shard reports (NDJSON or JSON) into one report in any format.
    Merge(merge::MergeArgs),
    /// List the built-in specs, or print one as TOML.
    Specs {
        #[command(subcommand)]
        action: Option<specs::SpecsAction>,
    },
    /// Run the HTTP service: POST /v1/check, GET /v1/specs, /healthz, /metrics, and a web page at /.
    #[cfg(feature = "serve")]
    Serve(serve::ServeArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print a manual page (roff) to standard output: the program's, or a subcommand's.
    Man {
        /// `check`, `fix`, `merge`, `specs`, `serve`, `completions` or `man`; none for the main page.
        subcommand: Option<String>,
    },
}

/// A step of a subcommand: `Err` carries the exit code of a subcommand that stops early,
/// its reason already printed on standard error (see [`fail_usage`]).
type Step<T> = Result<T, ExitCode>;

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
        Command::Check(args) => check::check(*args),
        Command::Fix(args) => fix::fix(args),
        Command::Merge(args) => merge::merge(args),
        Command::Specs { action } => specs::specs(action),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::run_serve(args),
        Command::Completions { shell } => completions(shell),
        Command::Man { subcommand } => man(subcommand.as_deref()),
    }
}

/// `photocheck completions SHELL`: the completion script on standard output.
fn completions(shell: clap_complete::Shell) -> ExitCode {
    clap_complete::generate(
        shell,
        &mut Cli::command(),
        "photocheck",
        &mut std::io::stdout(),
    );
    ExitCode::from(EXIT_PASS)
}

/// `photocheck man [SUBCOMMAND]`: the manual page (roff) on standard output.
fn man(subcommand: Option<&str>) -> ExitCode {
    let cmd = Cli::command();
    let cmd = match subcommand {
        None => cmd,
        Some(name) => match cmd.find_subcommand(name) {
            Some(sub) => sub
                .clone()
                .name(Box::leak(format!("photocheck-{name}").into_boxed_str()) as &str),
            None => return fail_usage(format!("no subcommand `{name}`")),
        },
    };
    let man = clap_mangen::Man::new(cmd);
    let mut page = Vec::new();
    match man.render(&mut page) {
        Ok(()) => print_stdout(&String::from_utf8_lossy(&page)),
        Err(e) => {
            eprintln!("photocheck: {e}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Writes `text` to standard output: exit code 0, or 2 when it cannot be written (silently
/// when the reader has gone, as `photocheck specs | head` does).
fn print_stdout(text: &str) -> ExitCode {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::from(EXIT_PASS),
        Err(e) => {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                eprintln!("photocheck: cannot write to standard output: {e}");
            }
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Prints `photocheck: {msg}` on standard error; the exit code of a usage error.
fn fail_usage(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("photocheck: {msg}");
    ExitCode::from(EXIT_ERROR)
}
