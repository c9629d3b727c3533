//! `photocheck serve`: the HTTP service of [`photocheck::serve`] on a tokio runtime, until
//! Ctrl-C or SIGTERM.

use std::process::ExitCode;

use photocheck::serve::{ServeOptions, serve};
use photocheck::{Engine, Spec};

use super::{EXIT_PASS, fail_usage};

#[derive(clap::Args)]
pub(super) struct ServeArgs {
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
    /// Connections open at once; beyond, new ones are closed at once (so file descriptors
    /// never run out and /healthz keeps answering).
    #[arg(long, value_name = "N", default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,
    /// Seconds a client has to send a request's headers.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    header_timeout: f64,
    /// Seconds a connection may stay open with no request in progress (keep-alive idle).
    #[arg(long, value_name = "SECONDS", default_value_t = 15.0)]
    idle_timeout: f64,
    /// Seconds an upload (the whole body) may take (408 `upload_timeout`).
    #[arg(long, value_name = "SECONDS", default_value_t = 20.0)]
    body_timeout: f64,
    /// Uploads received at once; beyond, 503 `busy`. Uploads never hold a check slot.
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..))]
    max_uploads: u32,
    /// Seconds the requests in flight get to finish after Ctrl-C or SIGTERM.
    #[arg(long, value_name = "SECONDS", default_value_t = 8.0)]
    drain: f64,
    /// Largest photo decoded, megapixels (`too_large` beyond; the command line allows 100).
    #[arg(long, value_name = "MP", default_value_t = 24.0)]
    max_megapixels: f64,
    /// Memory the checks may use together (K, M, G): large photos queue for it instead of
    /// growing the process; one that alone needs more is `too_large`.
    #[arg(long, value_name = "SIZE", default_value = "384M", value_parser = parse_size)]
    max_memory: usize,
    /// A file holding a bearer token: POST /v1/check and /v1/fix then need
    /// `Authorization: Bearer <token>` (the page, /healthz and /metrics stay open).
    #[arg(long, value_name = "FILE")]
    token_file: Option<std::path::PathBuf>,
}

/// A positive number of seconds.
fn seconds(flag: &str, v: f64) -> Result<std::time::Duration, String> {
    match std::time::Duration::try_from_secs_f64(v) {
        Ok(d) if !d.is_zero() => Ok(d),
        _ => Err(format!("{flag} must be a positive number of seconds")),
    }
}

/// `15M`, `512K`, `1G`, `2000000` (K, M, G: 1024-based; an optional `B` or `iB` is accepted).
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

/// Runs the HTTP service until Ctrl-C or SIGTERM.
pub(super) fn run_serve(args: ServeArgs) -> ExitCode {
    let spec = match Spec::resolve(&args.spec) {
        Ok(s) => s,
        Err(e) => return fail_usage(e),
    };
    let durations = (|| -> Result<_, String> {
        Ok((
            seconds("--timeout", args.timeout)?,
            seconds("--header-timeout", args.header_timeout)?,
            seconds("--idle-timeout", args.idle_timeout)?,
            seconds("--body-timeout", args.body_timeout)?,
            seconds("--drain", args.drain)?,
        ))
    })();
    let (timeout, header_timeout, idle_timeout, body_timeout, drain) = match durations {
        Ok(d) => d,
        Err(e) => return fail_usage(e),
    };
    let bearer_token = match &args.token_file {
        None => None,
        Some(f) => match std::fs::read_to_string(f) {
            Ok(t) if !t.trim().is_empty() => Some(t.trim().to_string()),
            Ok(_) => return fail_usage(format!("--token-file {}: the file is empty", f.display())),
            Err(e) => return fail_usage(format!("--token-file {}: {e}", f.display())),
        },
    };
    if !(args.max_megapixels > 0.0 && args.max_megapixels <= 1000.0) {
        return fail_usage("--max-megapixels must be between 0 and 1000");
    }
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
        max_connections: args.max_connections as usize,
        header_timeout,
        idle_timeout,
        body_timeout,
        max_uploads: args.max_uploads as usize,
        drain,
        max_pixels: (args.max_megapixels * 1e6) as u64,
        max_memory: args.max_memory as u64,
        bearer_token,
    };
    let engine = match Engine::new_long_running() {
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
        // The signal handlers are installed before the address is announced: a SIGTERM that
        // arrives as soon as the service answers must drain it, not kill it.
        let shutdown = shutdown_signal();
        let addr = listener
            .local_addr()
            .map_or(args.listen.clone(), |a| a.to_string());
        eprintln!(
            "photocheck: serving http://{addr}/ (spec {}; networks on {}; {} checks at a time, {} waiting; timeout {} s; body up to {} bytes); Ctrl-C stops",
            options.default_spec.id,
            engine.runtime().name(),
            options.max_concurrent,
            options.queue,
            args.timeout,
            options.max_body
        );
        match serve(listener, engine, options, shutdown).await {
            Ok(()) => ExitCode::from(EXIT_PASS),
            Err(e) => fail_usage(e),
        }
    })
}

/// A future that completes on Ctrl-C or, on Unix, SIGTERM (what `docker stop` and systemd
/// send). The handlers are installed when this is called, not when the future is first polled.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let (interrupt, terminate) = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::interrupt()).ok(),
            signal(SignalKind::terminate()).ok(),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let wait = |s: Option<tokio::signal::unix::Signal>| async move {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = wait(interrupt) => {},
                () = wait(terminate) => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        eprintln!("photocheck: stopping; finishing the requests in flight");
    }
}
