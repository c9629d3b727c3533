//! Load test of the HTTP service over loopback: a bounded number of check requests from a
//! fixed number of concurrent clients; prints throughput and p50/p99 latency on stderr and
//! requires every answer to be a 200 with the expected verdict, with 300 idle connections and
//! 40 slow uploads held open alongside (issue 16).
//!
//! `PHOTOCHECK_LOAD_REQUESTS` (default 500; the README's figures are for 2000) and `PHOTOCHECK_LOAD_CONCURRENCY` (default 16)
//! change the load, e.g. `PHOTOCHECK_LOAD_REQUESTS=200 cargo test --release --test it
//! serve_load`. It runs alone (`common::alone`): the other tests wait while it measures.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::common::http;
use crate::common::serve::{fixture, start};
use photocheck::serve::ServeOptions;

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_over_loopback() {
    // The figures are the README's: no other test runs beside this one.
    let _machine = crate::common::alone();
    let requests = env_count("PHOTOCHECK_LOAD_REQUESTS", 500);
    let concurrency = env_count("PHOTOCHECK_LOAD_CONCURRENCY", 16);
    // The defaults of `photocheck serve`: one check per core, 32 waiting; the 16 clients
    // fit in the queue, so no request may be refused.
    let options = ServeOptions {
        queue: concurrency.max(32),
        // The idle connections and slow uploads stay for the whole run.
        idle_timeout: Duration::from_secs(600),
        body_timeout: Duration::from_secs(600),
        timeout: Duration::from_secs(600),
        ..ServeOptions::default()
    };
    let cores = options.max_concurrent;
    let base = start(options).await;
    let addr = base.trim_start_matches("http://").to_string();
    let mut idle = Vec::new();
    for _ in 0..300 {
        idle.push(tokio::net::TcpStream::connect(&addr).await.unwrap());
    }
    let slow: Vec<_> = (0..40)
        .map(|_| tokio::spawn(crate::serve_defences::slow_upload(addr.clone())))
        .collect();
    let photo = Arc::new(fixture("made/astronaut_licence.jpg"));
    let next = Arc::new(AtomicUsize::new(0));
    let start_all = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (base, photo, next) = (base.clone(), photo.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = Vec::new();
            while next.fetch_add(1, Ordering::SeqCst) < requests {
                let t = Instant::now();
                let resp = http::post(format!("{base}/v1/check"))
                    .body("image/jpeg", photo.to_vec())
                    .timeout(Duration::from_secs(60))
                    .try_send()
                    .await;
                let outcome = match resp {
                    Ok(r) if r.status == 200 => {
                        match serde_json::from_slice::<serde_json::Value>(&r.body) {
                            Ok(v) if v["verdict"] == "pass" => Ok(()),
                            Ok(v) => Err(format!("verdict {}", v["verdict"])),
                            Err(e) => Err(e.to_string()),
                        }
                    }
                    Ok(r) => Err(format!(
                        "status {}: {}",
                        r.status,
                        String::from_utf8_lossy(&r.body)
                    )),
                    Err(e) => Err(e),
                };
                latencies.push(t.elapsed());
                if let Err(e) = outcome {
                    errors.push(e);
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = Vec::new();
    for w in workers {
        let (l, e) = w.await.unwrap();
        latencies.extend(l);
        errors.extend(e);
    }
    let wall = start_all.elapsed();
    for t in slow {
        if t.is_finished() {
            let answer = t.await.unwrap();
            panic!("a slow upload was answered during the load: {answer}");
        }
        t.abort();
    }
    drop(idle);
    latencies.sort();
    let pct = |p: f64| {
        let i = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
        latencies[i].as_secs_f64() * 1000.0
    };
    // Straight to stderr so that CI logs show the figures (the harness hides eprintln!).
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "load test (300 idle connections and 40 slow uploads alongside): {} requests, {concurrency} concurrent, {cores} checks at a time: {:.1} s, {:.1} requests/s, p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms, {} errors",
        latencies.len(),
        wall.as_secs_f64(),
        latencies.len() as f64 / wall.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        pct(1.0),
        errors.len()
    );
    assert_eq!(latencies.len(), requests);
    assert!(
        errors.is_empty(),
        "first errors: {:?}",
        &errors[..errors.len().min(5)]
    );
}
