//! The service under attack (issue 16): idle connections and slow uploads beside real checks,
//! timeouts, SIGTERM with a half-sent request, decompression bombs and concurrent annotation
//! within a memory budget, and a timed-out check that is not counted as a verdict.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::http;
use crate::common::serve::{fixture, start};
use photocheck::serve::ServeOptions;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A slow upload: headers announcing 100 kB, then one byte every 400 ms until the server
/// answers or closes; returns what it answered.
pub(crate) async fn slow_upload(addr: String) -> String {
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /v1/check HTTP/1.1\r\nHost: {addr}\r\nContent-Type: image/jpeg\r\nContent-Length: 100000\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    loop {
        let mut buf = [0u8; 4096];
        tokio::select! {
            n = s.read(&mut buf) => match n {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            },
            () = tokio::time::sleep(Duration::from_millis(400)) => {
                if s.write_all(b"x").await.is_err() {
                    break;
                }
            }
        }
        if answer.windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_and_slow_uploads_starve_neither_health_nor_checks() {
    let _machine = crate::common::alone();
    let base = start(ServeOptions {
        max_concurrent: 2,
        queue: 4,
        idle_timeout: Duration::from_secs(3),
        body_timeout: Duration::from_secs(4),
        ..ServeOptions::default()
    })
    .await;
    let addr = base.trim_start_matches("http://").to_string();
    // 300 connections that send nothing.
    let mut idle = Vec::new();
    for _ in 0..300 {
        idle.push(tokio::net::TcpStream::connect(&addr).await.unwrap());
    }
    // 40 uploads at a byte every 400 ms: more than the check slots and queue (6) together.
    let slow: Vec<_> = (0..40)
        .map(|_| tokio::spawn(slow_upload(addr.clone())))
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let started = Instant::now();
    let health = http::get(format!("{base}/healthz")).send().await;
    let health_s = started.elapsed().as_secs_f64();
    assert_eq!(health.status, 200);
    assert!(health_s < 2.0, "/healthz took {health_s:.2} s");
    let started = Instant::now();
    let check = http::post(format!("{base}/v1/check"))
        .body("image/jpeg", fixture("made/astronaut_licence.jpg"))
        .send()
        .await;
    assert_eq!(check.status, 200, "{}", check.text());
    let check_s = started.elapsed().as_secs_f64();
    let metrics = http::get(format!("{base}/metrics")).send().await.text();
    let gauge = |name: &str| {
        metrics
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().last())
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(-1.0)
    };
    assert!(gauge("photocheck_uploads_receiving") >= 40.0, "{metrics}");
    assert!(gauge("photocheck_connections_open") >= 340.0, "{metrics}");
    // The slow uploads get 408 once their body timeout (4 s) has passed.
    let mut timed_out = 0;
    for t in slow {
        let answer = tokio::time::timeout(Duration::from_secs(10), t)
            .await
            .expect("the slow upload is answered")
            .unwrap();
        timed_out += usize::from(answer.starts_with("HTTP/1.1 408"));
    }
    assert_eq!(timed_out, 40);
    // The idle connections are closed by the idle timeout (3 s).
    let mut closed = 0;
    for mut s in idle.drain(..) {
        let mut buf = [0u8; 16];
        if let Ok(Ok(0)) = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf)).await {
            closed += 1;
        }
    }
    assert_eq!(closed, 300);
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "defences: /healthz in {health_s:.3} s and a check in {check_s:.3} s beside 300 idle connections and 40 slow uploads; 40 uploads timed out (408), 300 idle connections closed"
    );
}

/// The deadline is far below what a check of this photo takes (decode, detection and three
/// mesh windows alone take over 15 ms on a fast machine), so the client gets 504 and the check
/// stops at a stage boundary, or finishes late; either way it is not counted as a verdict.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_past_its_deadline_stops_and_is_not_a_verdict() {
    let _machine = crate::common::share();
    let base = start(ServeOptions {
        max_concurrent: 1,
        timeout: Duration::from_millis(10),
        ..ServeOptions::default()
    })
    .await;
    let resp = http::post(format!("{base}/v1/check"))
        .body("image/png", fixture("astronaut.png"))
        .send()
        .await;
    assert_eq!(resp.status, 504);
    // Give the stopped check time to reach its next stage boundary.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let metrics = http::get(format!("{base}/metrics")).send().await.text();
    for v in ["pass", "fail", "error"] {
        assert!(
            metrics.contains(&format!("photocheck_checks_total{{verdict=\"{v}\"}} 0")),
            "{v}: {metrics}"
        );
    }
    assert!(metrics.contains("photocheck_checks_running 0"), "{metrics}");
}

/// `photocheck serve` as a child process with `args`, and its address.
fn serve_child(args: &[&str]) -> (Child, String, BufReader<std::process::ChildStderr>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_photocheck"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .env("LANG", "C")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    (child, addr, stderr)
}

#[test]
fn sigterm_stops_the_service_within_10_s_despite_a_half_sent_request() {
    let _machine = crate::common::share();
    let (mut child, addr, _stderr) = serve_child(&["--drain", "3"]);
    // A request whose headers never end, and one whose body never comes.
    let mut half = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        half,
        "POST /v1/check HTTP/1.1\r\nHost: {addr}\r\nContent-Le"
    )
    .unwrap();
    let mut body = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        body,
        "POST /v1/check HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 5000\r\n\r\nabc"
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("photocheck serve still running 10 s after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "defences: stopped {:.2} s after SIGTERM with two half-sent requests",
        started.elapsed().as_secs_f64()
    );
}

/// A PNG chunk.
fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
    out
}

fn png_header(w: u32, h: u32, depth: u8, colour: u8) -> Vec<u8> {
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[depth, colour, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &ihdr));
    out
}

/// The files of issue 16: a 35-byte GIF whose first frame fills a 4,896 x 4,896 screen, a
/// 100 x 100 PNG whose ICC profile inflates to 1 GiB, and a 99-megapixel 16-bit RGBA PNG.
fn bombs() -> Vec<(&'static str, Vec<u8>)> {
    let mut gif = b"GIF89a".to_vec();
    gif.extend_from_slice(&4896u16.to_le_bytes());
    gif.extend_from_slice(&4896u16.to_le_bytes());
    gif.extend_from_slice(&[0x80, 0, 0, 0, 0, 0, 255, 255, 255]);
    gif.extend_from_slice(&[0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 0x01, 0, 0x3B]);
    let mut iccp = png_header(100, 100, 8, 2);
    let mut profile = b"icc\0\0".to_vec();
    let zeros = vec![0u8; 1 << 30];
    profile.extend(miniz_oxide::deflate::compress_to_vec_zlib(&zeros, 1));
    drop(zeros);
    iccp.extend(chunk(b"iCCP", &profile));
    iccp.extend(chunk(
        b"IDAT",
        &miniz_oxide::deflate::compress_to_vec_zlib(&[0u8; 30100], 6),
    ));
    iccp.extend(chunk(b"IEND", &[]));
    let mut deep = png_header(9950, 9950, 16, 6);
    deep.extend(chunk(
        b"IDAT",
        &miniz_oxide::deflate::compress_to_vec_zlib(&[0u8; 1 << 16], 6),
    ));
    deep.extend(chunk(b"IEND", &[]));
    vec![("gif", gif), ("iccp", iccp), ("deep", deep)]
}

/// Peak resident memory of a process, MB (`VmHWM`).
fn peak_rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn post(addr: &str, path: &str, body: &[u8]) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    s.write_all(body).unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, answer)
}

#[test]
fn decompression_bombs_and_concurrent_annotation_stay_under_600_mb() {
    let _machine = crate::common::alone();
    let (mut child, addr, _stderr) = serve_child(&["--max-concurrent", "2", "--queue", "8"]);
    let mut seen = Vec::new();
    for (name, bytes) in bombs() {
        let (status, answer) = post(&addr, "/v1/check", &bytes);
        seen.push(format!("{name} ({} bytes): {status}", bytes.len()));
        match status {
            200 => {}
            422 => assert!(answer.contains("\"too_large\""), "{name}: {answer}"),
            s => panic!("{name}: status {s}: {answer}"),
        }
    }
    // Six annotated checks at once of a 12-megapixel photo.
    let big = {
        let img = image::open(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/made/astronaut_licence.jpg"),
        )
        .unwrap()
        .resize_exact(3000, 4000, image::imageops::FilterType::Triangle)
        .into_rgb8();
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(&img)
            .unwrap();
        out
    };
    let threads: Vec<_> = (0..6)
        .map(|_| {
            let (addr, big) = (addr.clone(), big.clone());
            std::thread::spawn(move || post(&addr, "/v1/check?annotate=true", &big).0)
        })
        .collect();
    let statuses: Vec<u16> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let peak = peak_rss_mb(child.id());
    let _ = child.kill();
    let _ = child.wait();
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "defences: {}; 6 concurrent annotated 12 MP checks {statuses:?}; peak RSS {peak:.0} MB",
        seen.join(", ")
    );
    assert!(peak > 0.0 && peak < 600.0, "peak RSS {peak:.0} MB");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bearer_token_guards_the_checks() {
    let _machine = crate::common::share();
    let base = start(ServeOptions {
        max_concurrent: 1,
        bearer_token: Some("s3cret-token".into()),
        ..ServeOptions::default()
    })
    .await;
    let photo = fixture("made/astronaut_licence.jpg");
    let without = http::post(format!("{base}/v1/check"))
        .body("image/jpeg", photo.clone())
        .send()
        .await;
    assert_eq!(without.status, 401);
    assert_eq!(without.header("www-authenticate"), Some("Bearer"));
    let wrong = http::post(format!("{base}/v1/fix"))
        .header("authorization", "Bearer s3cret-tokeN")
        .body("image/jpeg", photo.clone())
        .send()
        .await;
    assert_eq!(wrong.status, 401);
    let right = http::post(format!("{base}/v1/check"))
        .header("authorization", "Bearer s3cret-token")
        .body("image/jpeg", photo)
        .send()
        .await;
    assert_eq!(right.status, 200);
    // Health, the page and the list of specs stay open.
    assert_eq!(
        http::get(format!("{base}/healthz")).send().await.status,
        200
    );
    assert_eq!(
        http::get(format!("{base}/v1/specs")).send().await.status,
        200
    );
}
