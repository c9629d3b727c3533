//! The HTTP service (`photocheck serve`): pre-upload validation for web forms and apps.
//!
//! | endpoint | answer |
//! |---|---|
//! | `POST /v1/check?spec=ID&annotate=true&lang=zh` | the photo's [`FileReport`] as JSON (the same object as one line of `check --format ndjson`); the photo is the raw body (`Content-Type: image/*` or `application/octet-stream`) or the `photo` field of a `multipart/form-data` form |
//! | `POST /v1/fix?spec=ID&background=white` | the photo cropped, scaled and levelled into the spec's frame ([`crate::fix`]): a [`crate::fix::FixReport`] whose `output` is the fixed photo as a `data:image/jpeg;base64,` URL (or `null` with a `reason` when it cannot be fixed), with the check of the photo before and of the fixed photo after; the same body and statuses as `/v1/check` |
//! | `GET /v1/specs` | the built-in specs: `{"default": ID, "specs": [{"id", "name", "aliases", "photo", "checks"}]}` |
//! | `GET /healthz` | `{"status": "ok", "version": ...}` |
//! | `GET /metrics` | Prometheus text format: requests, errors, verdicts, latency histograms |
//! | `GET /` | a self-contained web page to check a photo (English and Chinese) |
//!
//! Statuses of `/v1/check`: 200 with the report when the photo was checked (verdict `pass` or
//! `fail`); 422 with the report (verdict `error`, `error.kind` one of `not_an_image`,
//! `unsupported_format`, `truncated`, `too_large`, `corrupt`) when the photo could not be
//! decoded; otherwise a protocol error `{"error": {"code", "message"}}` with a stable code from
//! [`ERROR_CODES`].
//!
//! `annotate=true` adds one field to the report, `annotated_image`: a `data:image/png;base64,`
//! URL of the photo with the measured lines and allowed bands drawn (see
//! [`crate::report::annotate`]); `lang` (a BCP 47 tag: `zh`, `zh-CN`, `zh-Hans`, `en-US`, ...;
//! else the `Accept-Language` header) is the language of its text.
//!
//! Limits: the body size (`max_body`, 413), a deadline per request covering upload, wait and
//! check (`timeout`, 504; the engine also stops a check at its deadline), at most
//! `max_concurrent` checks at a time on tokio's blocking threads with `queue` more waiting
//! (beyond that 503 at once), and the decoder's limits against decompression bombs (100
//! megapixels, 1 GiB decoded: `too_large`). Nothing is written to disk and photos are never
//! logged. The service keeps no state between requests (except metrics), so any number of
//! instances can run behind a load balancer.
//!
//! ```no_run
//! use photocheck::Engine;
//! use photocheck::serve::{ServeOptions, serve};
//!
//! # async fn run() -> Result<(), photocheck::serve::ServeError> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! let engine = Engine::new().expect("embedded models load");
//! serve(listener, engine, ServeOptions::default(), async {
//!     let _ = tokio::signal::ctrl_c().await;
//! })
//! .await
//! # }
//! ```

mod error;
mod listen;
mod metrics;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Query, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};

pub use error::{ApiError, ERROR_CODES};
pub use listen::{ConnectionCounts, ConnectionLimits};
use metrics::Metrics;

use crate::engine::Engine;
use crate::error::ErrorKind;
use crate::report::annotate::annotate;
use crate::report::{FileReport, Lang, Verdict};
use crate::spec::{PhotoSize, Spec};

/// The web page served at `/`: one self-contained HTML file (inline CSS and JavaScript).
pub const PAGE_HTML: &str = include_str!("page.html");

/// The default `max_body`: 15 MiB.
pub const DEFAULT_MAX_BODY: usize = 15 << 20;

/// What a service instance allows; [`ServeOptions::default`] gives the CLI's defaults.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The spec used when a request names none (`?spec=`). Requests may name any built-in
    /// preset, and this spec by its id.
    pub default_spec: Spec,
    /// Checks running at the same time (each on one CPU core); at least 1. Default: the cores.
    pub max_concurrent: usize,
    /// Check requests that may wait for a free slot beyond `max_concurrent`; more get 503
    /// `busy`. Default 32.
    pub queue: usize,
    /// Deadline per check request: upload, wait and check (504 `timeout`). Default 30 s.
    pub timeout: Duration,
    /// Largest request body, bytes (413 `body_too_large`). Default [`DEFAULT_MAX_BODY`].
    pub max_body: usize,
    /// Origins allowed to call the service from a browser (CORS), e.g.
    /// `https://forms.example.org`; `*` allows any. Empty: no CORS headers (same origin only).
    pub cors_origins: Vec<String>,
    /// Connections open at once; beyond, new ones are closed at once. Default 512.
    pub max_connections: usize,
    /// Time a client has to send a request's headers. Default 10 s.
    pub header_timeout: Duration,
    /// Time a connection may stay open with no request in progress. Default 15 s.
    pub idle_timeout: Duration,
    /// Time an upload (the whole body) may take, 408 `upload_timeout` beyond. Default 20 s.
    pub body_timeout: Duration,
    /// Uploads being received at once; more get 503 `busy`. Uploads never hold a check slot:
    /// a request is admitted to the check queue only once its whole body is in. Default 64.
    pub max_uploads: usize,
    /// Time the requests in flight get to finish after shutdown begins. Default 8 s.
    pub drain: Duration,
    /// Largest photo the service decodes, pixels (`too_large` beyond). Default 24 megapixels,
    /// lower than the command line's 100.
    pub max_pixels: u64,
    /// Memory the checks of this process may use together, bytes: each check reserves what its
    /// photo needs before decoding it and waits (within its deadline) while others hold the
    /// budget; a photo that alone needs more is `too_large`. Default 384 MiB (with the models
    /// and the runtime, a process under 600 MB).
    pub max_memory: u64,
    /// When set, `POST /v1/check` and `POST /v1/fix` need `Authorization: Bearer <token>`
    /// (401 `unauthorized` otherwise); `/`, `/v1/specs`, `/healthz` and `/metrics` stay open.
    pub bearer_token: Option<String>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            default_spec: Spec::preset("cn-driving-licence").expect("the preset exists (tested)"),
            max_concurrent: std::thread::available_parallelism().map_or(1, |n| n.get()),
            queue: 32,
            timeout: Duration::from_secs(30),
            max_body: DEFAULT_MAX_BODY,
            cors_origins: Vec::new(),
            max_connections: 512,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(15),
            body_timeout: Duration::from_secs(20),
            max_uploads: 64,
            drain: Duration::from_secs(8),
            max_pixels: 24_000_000,
            max_memory: 384 << 20,
            bearer_token: None,
        }
    }
}

/// Why the service could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// A `cors_origins` entry is not `*` nor an origin such as `https://example.org:8443`.
    #[error(
        "CORS origin `{0}` is not `*` nor an origin like `https://example.org` (scheme, host, optional port; no path)"
    )]
    BadOrigin(String),
    /// An option is out of range (e.g. `max_concurrent` 0).
    #[error("{0}")]
    BadOption(String),
    /// Binding or serving failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

struct AppState {
    engine: Engine,
    default_spec: Arc<Spec>,
    specs: Vec<Arc<Spec>>,
    slots: Arc<Semaphore>,
    pending: AtomicUsize,
    max_pending: usize,
    /// Uploads being received now, and at most.
    uploads: AtomicUsize,
    max_uploads: usize,
    timeout: Duration,
    body_timeout: Duration,
    max_body: usize,
    /// The memory budget, in MiB permits.
    memory: Arc<Semaphore>,
    memory_mib: u32,
    decode_limits: crate::decode::DecodeLimits,
    connections: Arc<ConnectionCounts>,
    bearer_token: Option<String>,
    metrics: Metrics,
    /// The threads checks run on (`max_concurrent` of them): a rayon pool, so that rustface's
    /// inner parallelism stays on these threads instead of waking another pool per photo.
    checkers: rayon::ThreadPool,
}

impl AppState {
    /// A spec by id or alias: the presets and the default spec. Not [`Spec::resolve`]: the
    /// name comes from a request, and a request must not make the service read a file.
    fn spec(&self, id: &str) -> Option<Arc<Spec>> {
        if self.default_spec.id == id {
            return Some(self.default_spec.clone());
        }
        self.specs.iter().find(|s| s.is_named(id)).cloned()
    }

    fn fail(&self, e: ApiError) -> Response {
        self.metrics.error(e.code);
        e.into_response()
    }
}

fn parse_origin(s: &str) -> Result<HeaderValue, ServeError> {
    let bad = || ServeError::BadOrigin(s.into());
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .ok_or_else(bad)?;
    if rest.is_empty() || rest.contains(['/', '?', '#', ' ', '@']) {
        return Err(bad());
    }
    HeaderValue::from_str(s).map_err(|_| bad())
}

fn cors_layer(origins: &[String]) -> Result<Option<CorsLayer>, ServeError> {
    if origins.is_empty() {
        return Ok(None);
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            origins
                .iter()
                .map(|o| parse_origin(o))
                .collect::<Result<Vec<_>, _>>()?,
        )
    };
    Ok(Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::CONTENT_TYPE])
            .max_age(Duration::from_secs(3600)),
    ))
}

/// The service as an axum [`Router`] (to serve it yourself, or to nest it in a larger app).
///
/// The engine gets a time limit of `options.timeout` per photo.
///
/// Errors: [`ServeError::BadOrigin`] for a malformed CORS origin, [`ServeError::BadOption`]
/// for `max_concurrent` 0 or a zero timeout.
pub fn router(engine: Engine, options: ServeOptions) -> Result<Router, ServeError> {
    build(engine, options).map(|(app, _)| app)
}

/// [`router`], with the connection counts its metrics show.
fn build(
    engine: Engine,
    options: ServeOptions,
) -> Result<(Router, Arc<ConnectionCounts>), ServeError> {
    if options.max_concurrent == 0 {
        return Err(ServeError::BadOption(
            "max_concurrent must be at least 1".into(),
        ));
    }
    for (name, d) in [
        ("timeout", options.timeout),
        ("header timeout", options.header_timeout),
        ("idle timeout", options.idle_timeout),
        ("body timeout", options.body_timeout),
    ] {
        if d.is_zero() {
            return Err(ServeError::BadOption(format!("{name} must be positive")));
        }
    }
    if options.max_connections == 0 || options.max_uploads == 0 || options.max_pixels == 0 {
        return Err(ServeError::BadOption(
            "max connections, uploads and pixels must be at least 1".into(),
        ));
    }
    let memory_mib = u32::try_from(options.max_memory >> 20)
        .unwrap_or(u32::MAX)
        .clamp(64, Semaphore::MAX_PERMITS as u32);
    let connections = Arc::new(ConnectionCounts::default());
    let cors = cors_layer(&options.cors_origins)?;
    let checkers = rayon::ThreadPoolBuilder::new()
        .num_threads(options.max_concurrent)
        .thread_name(|i| format!("photocheck checker {i}"))
        .build()
        .map_err(|e| ServeError::BadOption(format!("cannot start the check threads: {e}")))?;
    let state = Arc::new(AppState {
        engine: engine
            .with_time_limit(Some(options.timeout))
            .with_decode_limits(crate::decode::DecodeLimits {
                max_pixels: options.max_pixels,
                max_alloc: (u64::from(memory_mib) << 20).min(crate::decode::MAX_DECODE_BYTES),
            }),
        default_spec: Arc::new(options.default_spec),
        specs: Spec::presets().into_iter().map(Arc::new).collect(),
        slots: Arc::new(Semaphore::new(options.max_concurrent)),
        pending: AtomicUsize::new(0),
        max_pending: options.max_concurrent.saturating_add(options.queue),
        uploads: AtomicUsize::new(0),
        max_uploads: options.max_uploads,
        timeout: options.timeout,
        body_timeout: options.body_timeout,
        max_body: options.max_body,
        memory: Arc::new(Semaphore::new(memory_mib as usize)),
        memory_mib,
        decode_limits: crate::decode::DecodeLimits {
            max_pixels: options.max_pixels,
            max_alloc: (u64::from(memory_mib) << 20).min(crate::decode::MAX_DECODE_BYTES),
        },
        connections: connections.clone(),
        bearer_token: options.bearer_token.clone().filter(|t| !t.is_empty()),
        metrics: Metrics::new(),
        checkers,
    });
    let mut app = Router::new()
        .route("/", get(page))
        .route("/v1/check", post(check))
        .route("/v1/fix", post(fix))
        .route("/v1/specs", get(specs))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // The check handler reads the body itself, within `max_body`.
        .layer(DefaultBodyLimit::disable());
    if let Some(cors) = cors {
        app = app.layer(cors);
    }
    let app = app
        .layer(middleware::from_fn_with_state(state.clone(), authorize))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            count_requests,
        ))
        // A panic in a handler (a bug) becomes a JSON 500 instead of a dropped connection.
        // Checks themselves already run under the engine's panic guard.
        .layer(CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send>| {
                ApiError::new("internal", "internal error").into_response()
            },
        ))
        .with_state(state);
    Ok((app, connections))
}

/// Serves the service on `listener` until `shutdown` completes, then finishes the requests
/// in flight (graceful shutdown).
///
/// Errors: as [`router`], and I/O errors of the listener.
pub async fn serve<F>(
    listener: tokio::net::TcpListener,
    engine: Engine,
    options: ServeOptions,
    shutdown: F,
) -> Result<(), ServeError>
where
    F: Future<Output = ()> + Send + 'static,
{
    let limits = ConnectionLimits {
        max_connections: options.max_connections,
        header_timeout: options.header_timeout,
        idle_timeout: options.idle_timeout,
        drain: options.drain,
    };
    let (app, counts) = build(engine, options)?;
    listen::serve_connections(listener, app, limits, counts, shutdown).await?;
    Ok(())
}

async fn count_requests(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let path = req.uri().path().to_owned();
    let resp = next.run(req).await;
    st.metrics
        .request(&path, resp.status().as_u16(), start.elapsed());
    resp
}

/// With a bearer token configured, the checking endpoints answer only requests that carry it
/// (compared in constant time); CORS preflights pass (they carry no credentials).
async fn authorize(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let Some(token) = &st.bearer_token else {
        return next.run(req).await;
    };
    let guarded = matches!(req.uri().path(), "/v1/check" | "/v1/fix");
    if !guarded || req.method() == Method::OPTIONS {
        return next.run(req).await;
    }
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let same = given.len() == token.len()
        && given
            .bytes()
            .zip(token.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if same {
        return next.run(req).await;
    }
    let mut resp = st.fail(ApiError::new(
        "unauthorized",
        "this service needs `Authorization: Bearer <token>`",
    ));
    resp.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    resp
}

async fn not_found(State(st): State<Arc<AppState>>) -> Response {
    st.fail(ApiError::new(
        "not_found",
        "no such endpoint; see GET / , POST /v1/check, POST /v1/fix, GET /v1/specs, GET /healthz, GET /metrics",
    ))
}

async fn method_not_allowed(State(st): State<Arc<AppState>>, method: Method) -> Response {
    st.fail(ApiError::new(
        "method_not_allowed",
        format!("{method} is not allowed here"),
    ))
}

async fn page() -> Response {
    let mut resp = Html(PAGE_HTML).into_response();
    let h = resp.headers_mut();
    // The page needs nothing from elsewhere; the policy makes sure of it.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; connect-src 'self'; form-action 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

async fn healthz() -> Response {
    axum::Json(serde_json::json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
        .into_response()
}

async fn metrics_text(State(st): State<Arc<AppState>>) -> Response {
    st.metrics.connections(&st.connections);
    st.metrics
        .uploading
        .set(i64::try_from(st.uploads.load(Ordering::SeqCst)).unwrap_or(i64::MAX));
    st.metrics.memory_free_mib.set(i64::from(
        u32::try_from(st.memory.available_permits()).unwrap_or(u32::MAX),
    ));
    let (text, content_type) = st.metrics.render();
    let mut resp = text.into_response();
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        resp.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    resp
}

/// One entry of `GET /v1/specs`.
#[derive(Serialize)]
struct SpecEntry<'a> {
    id: &'a str,
    name: &'a str,
    name_zh: &'a str,
    aliases: &'a [String],
    photo: &'a PhotoSize,
    checks: Vec<String>,
}

async fn specs(State(st): State<Arc<AppState>>) -> Response {
    let mut list: Vec<&Spec> = Vec::new();
    if !st.specs.iter().any(|s| s.id == st.default_spec.id) {
        list.push(&st.default_spec);
    }
    list.extend(st.specs.iter().map(|s| &**s));
    let entries: Vec<SpecEntry> = list
        .into_iter()
        .map(|s| SpecEntry {
            id: &s.id,
            name: &s.name,
            name_zh: s.name_zh.as_deref().unwrap_or(&s.name),
            aliases: &s.aliases,
            photo: &s.photo,
            checks: crate::checks::check_ids(s),
        })
        .collect();
    // The Chinese name of every check id, from the one list of checks (the page shows them).
    let zh: serde_json::Map<String, serde_json::Value> = crate::checks::CHECKS
        .iter()
        .flat_map(|k| k.ids())
        .map(|n| (n.id.to_string(), n.zh.into()))
        .collect();
    axum::Json(serde_json::json!({
        "default": st.default_spec.id,
        "specs": entries,
        "check_names": {"zh": zh},
    }))
    .into_response()
}

/// Query parameters of `POST /v1/check`.
#[derive(Deserialize)]
struct CheckQuery {
    spec: Option<String>,
    #[serde(default)]
    annotate: bool,
    lang: Option<String>,
    /// `/v1/fix` only: `white` replaces the backdrop.
    background: Option<String>,
}

/// The answer of `POST /v1/check`: the report, plus the annotated image when asked for.
#[derive(Serialize)]
struct CheckAnswer {
    #[serde(flatten)]
    report: FileReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    annotated_image: Option<String>,
}

/// Decrements the upload count when an upload ends (read, refused or dropped).
struct UploadGuard<'a>(&'a AppState);

impl Drop for UploadGuard<'_> {
    fn drop(&mut self) {
        self.0.uploads.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Decrements the pending count when a check request is answered or dropped.
struct PendingGuard<'a>(&'a AppState);

impl Drop for PendingGuard<'_> {
    fn drop(&mut self) {
        self.0.pending.fetch_sub(1, Ordering::SeqCst);
        self.0.metrics.pending.dec();
    }
}

async fn check(State(st): State<Arc<AppState>>, req: Request) -> Response {
    within_deadline(&st, "check", |deadline| check_inner(&st, req, deadline)).await
}

/// Runs a checking request under its deadline (upload, wait and `what`): the answer, or 504
/// `timeout` once the deadline passes.
async fn within_deadline<'a, F, Fut>(st: &'a Arc<AppState>, what: &str, run: F) -> Response
where
    F: FnOnce(Instant) -> Fut,
    Fut: Future<Output = Result<Response, ApiError>> + 'a,
{
    let deadline = Instant::now() + st.timeout;
    match tokio::time::timeout(st.timeout, run(deadline)).await {
        Ok(Ok(resp)) => resp,
        Ok(Err(e)) => st.fail(e),
        Err(_) => st.fail(ApiError::new(
            "timeout",
            format!(
                "the request took longer than {:.1} s (upload, wait and {what})",
                st.timeout.as_secs_f64()
            ),
        )),
    }
}

enum Kind {
    Raw,
    Multipart,
}

/// A photo read from a request, with what the query asked for; holds its admission place
/// until dropped.
struct Upload<'a> {
    query: CheckQuery,
    spec: Arc<Spec>,
    lang: Lang,
    photo: Bytes,
    file: String,
    _pending: PendingGuard<'a>,
}

/// Reads the query (spec, lang) and the photo (raw body or the `photo` field of a form) of a
/// `POST /v1/check` or `/v1/fix`, under the body limit and the admission count.
async fn read_upload<'a>(st: &'a Arc<AppState>, req: Request) -> Result<Upload<'a>, ApiError> {
    let query = Query::<CheckQuery>::try_from_uri(req.uri())
        .map_err(|e| ApiError::new("bad_query", e.body_text()))?
        .0;
    let spec = match &query.spec {
        None => st.default_spec.clone(),
        Some(id) => st.spec(id).ok_or_else(|| {
            let ids: Vec<&str> = st.specs.iter().map(|s| s.id.as_str()).collect();
            ApiError::new(
                "unknown_spec",
                format!("unknown spec `{id}`; known: {}", ids.join(", ")),
            )
        })?,
    };
    // `lang=` (a BCP 47 tag: zh, zh-CN, zh-Hans, en-US, ...), else Accept-Language, else English.
    let lang = match query.lang.as_deref() {
        Some(tag) => Lang::from_tag(tag).ok_or_else(|| {
            ApiError::new(
                "bad_query",
                format!(
                    "lang `{tag}`: use a Chinese or English tag (zh, zh-CN, zh-Hans, en, en-US)"
                ),
            )
        })?,
        None => req
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Lang::from_accept_language)
            .unwrap_or(Lang::En),
    };
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let essence = content_type.split(';').next().unwrap_or("").trim();
    let kind = match essence {
        "" | "application/octet-stream" => Kind::Raw,
        t if t.starts_with("image/") => Kind::Raw,
        "multipart/form-data" => Kind::Multipart,
        t => {
            return Err(ApiError::new(
                "unsupported_media_type",
                format!(
                    "Content-Type `{t}`: send the photo as the body (image/jpeg, image/png, ..., application/octet-stream) or as the `photo` field of multipart/form-data"
                ),
            ));
        }
    };
    let too_large = || {
        ApiError::new(
            "body_too_large",
            format!("the body is larger than {} bytes", st.max_body),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > st.max_body as u64) {
        return Err(too_large());
    }

    // The upload budget: at most max_uploads bodies being received at once, each within
    // body_timeout. Uploading holds no check slot and no place in the check queue.
    if st.uploads.fetch_add(1, Ordering::SeqCst) >= st.max_uploads {
        st.uploads.fetch_sub(1, Ordering::SeqCst);
        return Err(ApiError::new(
            "busy",
            "too many photos are being uploaded at once; retry in a moment",
        ));
    }
    let uploading = UploadGuard(st);
    let (parts, body) = req.into_parts();
    let collected = tokio::time::timeout(st.body_timeout, Limited::new(body, st.max_body).collect())
        .await
        .map_err(|_| {
            ApiError::new(
                "upload_timeout",
                format!(
                    "the upload took longer than {:.0} s; send the photo again over a faster connection, or a smaller photo",
                    st.body_timeout.as_secs_f64()
                ),
            )
        })?;
    let bytes = match collected {
        Ok(c) => c.to_bytes(),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => return Err(too_large()),
        Err(e) => {
            return Err(ApiError::new(
                "bad_request",
                format!("cannot read the body: {e}"),
            ));
        }
    };
    drop(uploading);

    // Admission to the checks, once the whole body is in: at most max_concurrent + queue
    // requests wait for or hold a check slot.
    if st.pending.fetch_add(1, Ordering::SeqCst) >= st.max_pending {
        st.pending.fetch_sub(1, Ordering::SeqCst);
        return Err(ApiError::new(
            "busy",
            "too many photos are being checked; retry in a moment",
        ));
    }
    st.metrics.pending.inc();
    let pending = PendingGuard(st);
    let (photo, file) = match kind {
        Kind::Raw => (bytes, "upload".to_string()),
        Kind::Multipart => {
            let req = Request::from_parts(parts, Body::from(bytes));
            let mut form = Multipart::from_request(req, &())
                .await
                .map_err(|e| ApiError::new("bad_request", e.body_text()))?;
            let mut found: Option<(Bytes, String)> = None;
            while let Some(field) = form
                .next_field()
                .await
                .map_err(|e| ApiError::new("bad_request", e.body_text()))?
            {
                if field.name() == Some("photo") {
                    let name = field.file_name().unwrap_or("upload").to_string();
                    let data = field
                        .bytes()
                        .await
                        .map_err(|e| ApiError::new("bad_request", e.body_text()))?;
                    found = Some((data, name));
                    break;
                }
            }
            found.ok_or_else(|| {
                ApiError::new("missing_photo", "the form has no `photo` field (a file)")
            })?
        }
    };
    if photo.is_empty() {
        return Err(ApiError::new("missing_photo", "the photo is empty"));
    }
    Ok(Upload {
        query,
        spec,
        lang,
        photo,
        file,
        _pending: pending,
    })
}

/// Runs `work` on a check slot of the blocking pool (inside the checkers' thread pool);
/// waiting for the slot counts against the request's deadline, and work whose client has
/// been answered `timeout` already is not started.
async fn run_on_slot<T, F>(
    st: &Arc<AppState>,
    deadline: Instant,
    photo: &[u8],
    work: F,
) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&AppState) -> T + Send + 'static,
{
    // The memory the photo needs, reserved from the process's budget before it is decoded:
    // large photos queue (within the deadline) instead of growing the process. One that alone
    // needs more than the budget takes all of it, and the decoder's limits (the budget) refuse
    // it as `too_large` before allocating.
    let need = crate::decode::memory_estimate(photo, &st.decode_limits);
    let need_mib = u32::try_from(need.div_ceil(1 << 20))
        .unwrap_or(u32::MAX)
        .clamp(1, st.memory_mib);
    let memory = st
        .memory
        .clone()
        .acquire_many_owned(need_mib)
        .await
        .map_err(|_| ApiError::new("internal", "the service is shutting down"))?;
    let slot = st
        .slots
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| ApiError::new("internal", "the service is shutting down"))?;
    let worker = st.clone();
    let job = tokio::task::spawn_blocking(move || {
        let _slot = slot;
        let _memory = memory;
        if Instant::now() >= deadline {
            return None;
        }
        worker.metrics.running.inc();
        let out = worker.checkers.install(|| work(&worker));
        worker.metrics.running.dec();
        Some(out)
    });
    job.await
        .map_err(|e| ApiError::new("internal", format!("the check did not finish: {e}")))?
        .ok_or_else(|| ApiError::new("timeout", "the request ran out of time"))
}

/// The HTTP status of a report: 200 for a verdict, 422 for a photo that could not be read,
/// else the protocol error ([`error_answer`]).
fn report_status(report: &FileReport) -> Result<StatusCode, ApiError> {
    match (&report.verdict, &report.error) {
        (Verdict::Error, Some(e)) => {
            error_answer(e.kind).map_err(|code| ApiError::new(code, e.message.clone()))
        }
        (Verdict::Error, None) => Err(ApiError::new("internal", "error report without a cause")),
        _ => Ok(StatusCode::OK),
    }
}

/// A JSON answer that is never cached.
fn json_answer<T: Serialize>(status: StatusCode, body: &T) -> Result<Response, ApiError> {
    let body = serde_json::to_vec(body).map_err(|e| ApiError::new("internal", e.to_string()))?;
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// A `data:` URL of `bytes` of type `mime`.
fn data_url(mime: &str, bytes: &[u8]) -> String {
    format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

async fn check_inner(
    st: &Arc<AppState>,
    req: Request,
    deadline: Instant,
) -> Result<Response, ApiError> {
    let Upload {
        query,
        spec,
        lang,
        photo,
        file,
        _pending,
    } = read_upload(st, req).await?;
    let annotate_image = query.annotate;
    // An annotated image draws every measure: run every stage for it.
    let extra = if annotate_image {
        crate::analysis::Stages::ALL
    } else {
        crate::analysis::Stages::NONE
    };
    let bytes = photo.clone();
    let (report, png) = run_on_slot(st, deadline, &bytes, move |worker| {
        let start = Instant::now();
        let mut png = None;
        let report = worker.engine.check_bytes_until(
            &file,
            &photo,
            &spec,
            extra,
            Some(deadline),
            |p, analysis, report| {
                if annotate_image {
                    let img = annotate(&p.image, analysis, report, &spec, lang);
                    let bytes = crate::report::annotate::encode_png(&img)
                        .map_err(|e| crate::Error::Internal(format!("annotated image: {e}")))?;
                    png = Some(bytes);
                }
                Ok(())
            },
        );
        // A check stopped at its deadline, or finished after it (its client was answered
        // 504), is a timeout (counted where the client is answered), not a verdict.
        if Instant::now() < deadline
            && report
                .error
                .as_ref()
                .is_none_or(|e| e.kind != ErrorKind::Timeout)
        {
            worker.metrics.verdict(report.verdict, start.elapsed());
        }
        (report, png)
    })
    .await?;
    let status = report_status(&report)?;
    let annotated_image = png
        .filter(|_| annotate_image)
        .map(|p| data_url("image/png", &p));
    json_answer(
        status,
        &CheckAnswer {
            report,
            annotated_image,
        },
    )
}

async fn fix(State(st): State<Arc<AppState>>, req: Request) -> Response {
    within_deadline(&st, "fix", |deadline| fix_inner(&st, req, deadline)).await
}

async fn fix_inner(
    st: &Arc<AppState>,
    req: Request,
    deadline: Instant,
) -> Result<Response, ApiError> {
    let Upload {
        query,
        spec,
        photo,
        file,
        _pending,
        ..
    } = read_upload(st, req).await?;
    let white = match query.background.as_deref() {
        None | Some("") | Some("keep") => false,
        Some("white") => true,
        Some(other) => {
            return Err(ApiError::new(
                "bad_query",
                format!("background `{other}`: use `white`, or leave it out to keep the backdrop"),
            ));
        }
    };
    let bytes = photo.clone();
    let report = run_on_slot(st, deadline, &bytes, move |worker| {
        let start = Instant::now();
        let outcome = worker.engine.fix_bytes_with(&file, &photo, &spec, white);
        // As for a check: one finished after its deadline was answered 504, not a verdict.
        if Instant::now() < deadline {
            worker
                .metrics
                .verdict(outcome.before.verdict, start.elapsed());
        }
        let output = outcome.jpeg.as_deref().map(|j| data_url("image/jpeg", j));
        outcome.to_report(&file, output, None)
    })
    .await?;
    let status = report_status(&report.before)?;
    json_answer(status, &report)
}

/// How the service answers a photo whose report is an error: the photo's own fault (not an
/// image, unsupported, truncated, too large, corrupt) is `Ok(422)` with the report; a time
/// limit is the protocol error `timeout` (504); anything else (our bug, a model failure, an
/// I/O problem) is `internal` (500), never blamed on the photo.
fn error_answer(kind: ErrorKind) -> std::result::Result<StatusCode, &'static str> {
    match kind {
        ErrorKind::Timeout => Err("timeout"),
        kind if kind.is_bad_photo() => Ok(StatusCode::UNPROCESSABLE_ENTITY),
        _ => Err("internal"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_errors_are_500_and_the_photos_are_422() {
        assert_eq!(error_answer(ErrorKind::Internal), Err("internal"));
        assert_eq!(error_answer(ErrorKind::Model), Err("internal"));
        assert_eq!(error_answer(ErrorKind::Timeout), Err("timeout"));
        for kind in [
            ErrorKind::Corrupt,
            ErrorKind::Truncated,
            ErrorKind::NotAnImage,
        ] {
            assert_eq!(error_answer(kind), Ok(StatusCode::UNPROCESSABLE_ENTITY));
        }
        assert_eq!(ApiError::new("internal", "x").status.as_u16(), 500);
    }

    #[test]
    fn origins_are_checked() {
        assert!(parse_origin("https://forms.example.org").is_ok());
        assert!(parse_origin("http://localhost:3000").is_ok());
        for bad in [
            "forms.example.org",
            "https://",
            "https://x.org/path",
            "ftp://x.org",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
        assert!(cors_layer(&["*".into()]).unwrap().is_some());
        assert!(cors_layer(&[]).unwrap().is_none());
    }
}
