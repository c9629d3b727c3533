//! The service's Prometheus metrics (`GET /metrics`, text exposition format 0.0.4).

use std::time::Duration;

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

/// The endpoints metrics are labelled with; any other path counts as `other`, so a scanner
/// cannot grow the label set.
const ENDPOINTS: &[&str] = &[
    "/",
    "/v1/check",
    "/v1/fix",
    "/v1/specs",
    "/healthz",
    "/metrics",
];

/// Request, verdict and latency metrics, registered in their own registry.
pub(crate) struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    request_seconds: HistogramVec,
    errors: IntCounterVec,
    verdicts: IntCounterVec,
    check_seconds: Histogram,
    /// Checks running on the blocking pool now.
    pub(crate) running: IntGauge,
    /// Check requests admitted and not answered yet (their body in; waiting or running).
    pub(crate) pending: IntGauge,
    /// Uploads being received now.
    pub(crate) uploading: IntGauge,
    /// The memory budget left, MiB.
    pub(crate) memory_free_mib: IntGauge,
    connections_open: IntGauge,
    connections_refused: IntGauge,
    connections_idle_closed: IntGauge,
}

/// Seconds buckets from 5 ms to about 20 s.
fn buckets() -> Vec<f64> {
    prometheus::exponential_buckets(0.005, 2.0, 13).expect("valid bucket parameters")
}

impl Metrics {
    pub(crate) fn new() -> Metrics {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "photocheck_http_requests_total",
                "HTTP requests answered, by endpoint and status code",
            ),
            &["endpoint", "status"],
        )
        .expect("valid metric");
        let request_seconds = HistogramVec::new(
            HistogramOpts::new(
                "photocheck_http_request_duration_seconds",
                "HTTP request latency (for /v1/check: upload, wait for a slot and check), seconds",
            )
            .buckets(buckets()),
            &["endpoint"],
        )
        .expect("valid metric");
        let errors = IntCounterVec::new(
            Opts::new(
                "photocheck_http_errors_total",
                "Protocol errors answered, by error code (busy, body_too_large, timeout, ...)",
            ),
            &["code"],
        )
        .expect("valid metric");
        let verdicts = IntCounterVec::new(
            Opts::new(
                "photocheck_checks_total",
                "Photos checked, by verdict (pass, fail, error)",
            ),
            &["verdict"],
        )
        .expect("valid metric");
        let check_seconds = Histogram::with_opts(
            HistogramOpts::new(
                "photocheck_check_duration_seconds",
                "Time a photo spends in the engine (decode, analysis, checks, annotation), seconds",
            )
            .buckets(buckets()),
        )
        .expect("valid metric");
        let running = IntGauge::new(
            "photocheck_checks_running",
            "Checks running on the worker threads now",
        )
        .expect("valid metric");
        let pending = IntGauge::new(
            "photocheck_checks_pending",
            "Check requests admitted and not yet answered (uploading, waiting or running)",
        )
        .expect("valid metric");
        let gauge = |name: &str, help: &str| IntGauge::new(name, help).expect("valid metric");
        let uploading = gauge(
            "photocheck_uploads_receiving",
            "Request bodies being received now (they hold no check slot)",
        );
        let memory_free_mib = gauge(
            "photocheck_memory_budget_free_mib",
            "The checks' memory budget not reserved now, MiB",
        );
        let connections_open = gauge("photocheck_connections_open", "TCP connections open now");
        let connections_refused = gauge(
            "photocheck_connections_refused",
            "Connections closed at once since start because the connection cap was reached",
        );
        let connections_idle_closed = gauge(
            "photocheck_connections_idle_closed",
            "Connections closed since start for being idle (no request in progress)",
        );
        for m in [
            Box::new(uploading.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(memory_free_mib.clone()),
            Box::new(connections_open.clone()),
            Box::new(connections_refused.clone()),
            Box::new(connections_idle_closed.clone()),
        ] {
            registry.register(m).expect("metric names are unique");
        }
        for m in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(request_seconds.clone()),
            Box::new(errors.clone()),
            Box::new(verdicts.clone()),
            Box::new(check_seconds.clone()),
            Box::new(running.clone()),
            Box::new(pending.clone()),
        ] {
            registry.register(m).expect("metric names are unique");
        }
        // Zero series for the verdicts, so a dashboard sees them before the first photo.
        for v in ["pass", "fail", "error"] {
            verdicts.with_label_values(&[v]);
        }
        Metrics {
            registry,
            requests,
            request_seconds,
            errors,
            verdicts,
            check_seconds,
            running,
            pending,
            uploading,
            memory_free_mib,
            connections_open,
            connections_refused,
            connections_idle_closed,
        }
    }

    /// Copies the accept loop's counts into the gauges.
    pub(crate) fn connections(&self, c: &super::ConnectionCounts) {
        use std::sync::atomic::Ordering::Relaxed;
        let i = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        self.connections_open.set(i(c.open.load(Relaxed) as u64));
        self.connections_refused.set(i(c.refused.load(Relaxed)));
        self.connections_idle_closed
            .set(i(c.idle_closed.load(Relaxed)));
    }

    /// Counts one answered request.
    pub(crate) fn request(&self, path: &str, status: u16, elapsed: Duration) {
        let endpoint = ENDPOINTS
            .iter()
            .copied()
            .find(|e| *e == path)
            .unwrap_or("other");
        self.requests
            .with_label_values(&[endpoint, status.to_string().as_str()])
            .inc();
        self.request_seconds
            .with_label_values(&[endpoint])
            .observe(elapsed.as_secs_f64());
    }

    /// Counts one protocol error by code.
    pub(crate) fn error(&self, code: &str) {
        self.errors.with_label_values(&[code]).inc();
    }

    /// Counts one checked photo.
    pub(crate) fn verdict(&self, verdict: crate::Verdict, elapsed: Duration) {
        let v = match verdict {
            crate::Verdict::Pass => "pass",
            crate::Verdict::Fail => "fail",
            crate::Verdict::Error => "error",
        };
        self.verdicts.with_label_values(&[v]).inc();
        self.check_seconds.observe(elapsed.as_secs_f64());
    }

    /// The metrics in the Prometheus text format, and its content type.
    pub(crate) fn render(&self) -> (String, String) {
        let encoder = TextEncoder::new();
        let mut out = Vec::new();
        if let Err(e) = encoder.encode(&self.registry.gather(), &mut out) {
            out = format!("# error encoding metrics: {e}\n").into_bytes();
        }
        (
            String::from_utf8_lossy(&out).into_owned(),
            encoder.format_type().to_string(),
        )
    }
}
