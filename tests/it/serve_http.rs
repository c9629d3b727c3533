//! The HTTP service over loopback: every endpoint, the limits, the error codes and metrics.

use std::time::Duration;

use crate::common::http::{self, Form, Request, Response};
use crate::common::serve::{fixture, start};
use photocheck::serve::{ERROR_CODES, ServeOptions};
use photocheck::{Engine, Spec};
use serde_json::Value;

const LICENCE: &str = "made/astronaut_licence.jpg";
const HEAD_SMALL: &str = "made/astronaut_head_small.jpg";

async fn post_raw(base: &str, query: &str, content_type: &str, body: Vec<u8>) -> Response {
    http::post(format!("{base}/v1/check{query}"))
        .body(content_type, body)
        .send()
        .await
}

/// Status, and the `error.code` of a protocol error.
fn protocol_error(resp: Response) -> (u16, String) {
    let status = resp.status;
    assert_eq!(
        resp.header("content-type"),
        Some("application/json"),
        "status {status}"
    );
    let body: Value = resp.json();
    let code = body["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error.code in {body}"))
        .to_string();
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    let listed = ERROR_CODES
        .iter()
        .find(|(c, _, _)| *c == code)
        .unwrap_or_else(|| panic!("code {code} is not in ERROR_CODES"));
    assert_eq!(listed.1, status, "{code}");
    (status, code)
}

fn options() -> ServeOptions {
    ServeOptions {
        max_concurrent: 2,
        ..ServeOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_body_gives_the_same_report_as_the_cli() {
    let _machine = crate::common::share();
    let base = start(options()).await;
    let bytes = fixture(LICENCE);
    let resp = post_raw(&base, "", "image/jpeg", bytes.clone()).await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-type"), Some("application/json"));
    let text = resp.text();
    let got: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(got["schema_version"], 1);
    assert_eq!(got["verdict"], "pass");
    assert_eq!(got["spec"], "cn-driving-licence");
    assert_eq!(got["file"], "upload");
    assert!(got.get("annotated_image").is_none());

    // Byte for byte the library's report for the same bytes, serialised as the NDJSON
    // reporter does.
    let engine = Engine::new().unwrap();
    let spec = Spec::preset("cn-driving-licence").unwrap();
    let lib = serde_json::to_string(&engine.check_bytes("upload", &bytes, &spec)).unwrap();
    assert_eq!(text, lib);

    // And the CLI's line for the file (`--format ndjson`), but for the file label.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(LICENCE);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_photocheck"))
        .args(["check", "--format", "ndjson", "--quiet"])
        .arg(&path)
        .env("LANG", "C")
        .output()
        .unwrap();
    let label = serde_json::to_string(&path.display().to_string()).unwrap();
    let cli = String::from_utf8(out.stdout).unwrap().trim_end().replacen(
        &format!("\"file\":{label}"),
        "\"file\":\"upload\"",
        1,
    );
    assert_eq!(text, cli);
    // `--format json` holds the same object (pretty-printed, in an array).
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_photocheck"))
        .args(["check", "--format", "json", "--quiet"])
        .arg(&path)
        .output()
        .unwrap();
    let array: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut first = array[0].clone();
    first["file"] = Value::from("upload");
    assert_eq!(first, serde_json::from_str::<Value>(&cli).unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multipart_photo_field_spec_and_annotated_image() {
    let _machine = crate::common::share();
    let base = start(options()).await;
    let form = Form::new().text("note", "ignored").file(
        "photo",
        "head_small.jpg",
        "image/jpeg",
        &fixture(HEAD_SMALL),
    );
    let resp = http::post(format!("{base}/v1/check?annotate=true&lang=zh"))
        .multipart(form)
        .send()
        .await;
    assert_eq!(resp.status, 200);
    let got: Value = resp.json();
    assert_eq!(got["file"], "head_small.jpg");
    assert_eq!(got["verdict"], "fail");
    let failed: Vec<&str> = got["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(failed.contains(&"head_length"), "{failed:?}");
    let url = got["annotated_image"].as_str().unwrap();
    let b64 = url.strip_prefix("data:image/png;base64,").unwrap();
    use base64::Engine as _;
    let png = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    let img = image::load_from_memory_with_format(&png, image::ImageFormat::Png).unwrap();
    // The photo, with the legend and the failures on a panel below it.
    assert_eq!(img.width(), 260);
    assert!(img.height() > 378, "{}", img.height());
    assert!(photocheck::report::annotate::is_annotated_png(&png));

    // Another spec, by id and by alias (URL-encoded Chinese).
    let resp = post_raw(&base, "?spec=cn-passport", "image/jpeg", fixture(LICENCE)).await;
    assert_eq!(resp.status, 200);
    let got: Value = resp.json();
    assert_eq!(got["spec"], "cn-passport");
    let resp = post_raw(
        &base,
        "?spec=%E5%B0%8F%E4%B8%80%E5%AF%B8",
        "application/octet-stream",
        fixture(LICENCE),
    )
    .await;
    assert_eq!(resp.status, 200);
    let got: Value = resp.json();
    assert_eq!(got["spec"], "cn-driving-licence");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn specs_health_and_page() {
    let _machine = crate::common::share();
    let base = start(options()).await;
    let specs: Value = http::get(format!("{base}/v1/specs")).send().await.json();
    assert_eq!(specs["default"], "cn-driving-licence");
    let list = specs["specs"].as_array().unwrap();
    assert_eq!(list.len(), Spec::presets().len());
    let licence = list
        .iter()
        .find(|s| s["id"] == "cn-driving-licence")
        .unwrap();
    assert_eq!(licence["photo"]["width_mm"], 22.0);
    assert!(
        licence["checks"]
            .as_array()
            .unwrap()
            .contains(&Value::from("head_length"))
    );
    assert!(
        licence["aliases"]
            .as_array()
            .unwrap()
            .contains(&Value::from("小一寸"))
    );

    let health: Value = http::get(format!("{base}/healthz")).send().await.json();
    assert_eq!(health["status"], "ok");

    let resp = http::get(format!("{base}/")).send().await;
    assert_eq!(resp.status, 200);
    assert!(
        resp.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        resp.header("content-security-policy")
            .unwrap()
            .contains("default-src 'none'")
    );
    let html = resp.text();
    for id in [
        "id=\"verdict\"",
        "id=\"photo\"",
        "id=\"spec\"",
        "id=\"rules\"",
        "id=\"annotated\"",
        "中文",
    ] {
        assert!(html.contains(id), "{id}");
    }
    // Self-contained: no external scripts, styles, fonts or images.
    for external in [
        "src=\"http",
        "href=\"http",
        "@import",
        "url(",
        "src=\"//",
        "href=\"//",
    ] {
        assert!(!html.contains(external), "{external}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protocol_errors_have_stable_codes() {
    let _machine = crate::common::share();
    let base = start(ServeOptions {
        max_body: 20_000,
        ..options()
    })
    .await;
    // Oversized body, declared by Content-Length.
    let resp = post_raw(&base, "", "image/jpeg", fixture(LICENCE)).await;
    assert_eq!(protocol_error(resp), (413, "body_too_large".into()));
    // Oversized body, chunked (no Content-Length): cut at the limit while reading.
    let chunked = raw_chunked(&base, &fixture(LICENCE)).await;
    assert!(chunked.starts_with("HTTP/1.1 413"), "{chunked}");
    assert!(chunked.contains("\"body_too_large\""), "{chunked}");
    // Wrong content type.
    for ct in [
        "text/plain",
        "application/json",
        "application/x-www-form-urlencoded",
    ] {
        let resp = post_raw(&base, "", ct, b"hello".to_vec()).await;
        assert_eq!(
            protocol_error(resp),
            (415, "unsupported_media_type".into()),
            "{ct}"
        );
    }
    // Empty body, a form without `photo`, a malformed form.
    let resp = post_raw(&base, "", "image/jpeg", Vec::new()).await;
    assert_eq!(protocol_error(resp), (400, "missing_photo".into()));
    let resp = http::post(format!("{base}/v1/check"))
        .multipart(Form::new().text("picture", "x"))
        .send()
        .await;
    assert_eq!(protocol_error(resp), (400, "missing_photo".into()));
    let resp = post_raw(
        &base,
        "",
        "multipart/form-data; boundary=XYZ",
        b"--XYZ\r\nbroken".to_vec(),
    )
    .await;
    assert_eq!(protocol_error(resp), (400, "bad_request".into()));
    // Unknown spec, bad query values.
    let resp = post_raw(&base, "?spec=nope", "image/jpeg", b"x".to_vec()).await;
    let (status, code) = protocol_error(resp);
    assert_eq!((status, code.as_str()), (400, "unknown_spec"));
    for q in ["?annotate=maybe", "?lang=fr"] {
        let resp = post_raw(&base, q, "image/jpeg", b"x".to_vec()).await;
        assert_eq!(protocol_error(resp), (400, "bad_query".into()), "{q}");
    }
    // Unknown endpoint, wrong method.
    let resp = http::get(format!("{base}/v2/nothing")).send().await;
    assert_eq!(protocol_error(resp), (404, "not_found".into()));
    let resp = http::get(format!("{base}/v1/check")).send().await;
    assert_eq!(protocol_error(resp), (405, "method_not_allowed".into()));
}

/// Sends `body` chunked (no Content-Length) over a raw connection; returns the response text.
async fn raw_chunked(base: &str, body: &[u8]) -> String {
    let addr = base.trim_start_matches("http://").to_string();
    let body = body.to_vec();
    tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let head = format!(
            "POST /v1/check HTTP/1.1\r\nHost: {addr}\r\nContent-Type: image/jpeg\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        );
        s.write_all(head.as_bytes()).unwrap();
        for chunk in body.chunks(4096) {
            let frame = format!("{:x}\r\n", chunk.len());
            // The server may answer and close before the whole body is sent.
            if s.write_all(frame.as_bytes()).is_err()
                || s.write_all(chunk).is_err()
                || s.write_all(b"\r\n").is_err()
            {
                break;
            }
        }
        let _ = s.write_all(b"0\r\n\r\n");
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    })
    .await
    .unwrap()
}

/// A PNG that declares 30000 x 30000 px (900 megapixels) in a few bytes.
fn png_bomb() -> Vec<u8> {
    fn crc(data: &[u8]) -> u32 {
        let mut c = 0xffff_ffffu32;
        for b in data {
            c ^= u32::from(*b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend(data);
        out.extend(&body);
        out.extend(crc(&body).to_be_bytes());
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(30_000u32.to_be_bytes());
    ihdr.extend(30_000u32.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    // A zlib stream of zeros (stored block header only; the decoder never gets this far).
    chunk(&mut out, b"IDAT", &[0x78, 0x9c, 0x63, 0x00, 0x00]);
    chunk(&mut out, b"IEND", &[]);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_that_cannot_be_decoded_get_the_report_with_422() {
    let _machine = crate::common::share();
    let base = start(options()).await;
    let whole = fixture(LICENCE);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", whole[..whole.len() / 2].to_vec()),
        ("not_an_image", b"this is not a photo".to_vec()),
        ("too_large", png_bomb()),
    ];
    for (kind, body) in cases {
        let resp = post_raw(&base, "?annotate=true", "image/jpeg", body).await;
        assert_eq!(resp.status, 422, "{kind}");
        let got: Value = resp.json();
        assert_eq!(got["schema_version"], 1);
        assert_eq!(got["verdict"], "error", "{kind}");
        assert_eq!(got["error"]["kind"], kind, "{got}");
        assert!(got.get("annotated_image").is_none());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn too_many_concurrent_requests_get_503_busy() {
    let _machine = crate::common::share();
    let base = start(ServeOptions {
        max_concurrent: 1,
        queue: 1,
        ..ServeOptions::default()
    })
    .await;
    let photo = fixture("astronaut.png");
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (base, photo) = (base.clone(), photo.clone());
        tasks.push(tokio::spawn(async move {
            post_raw(&base, "", "image/png", photo).await
        }));
    }
    let (mut ok, mut busy) = (0, 0);
    for t in tasks {
        let resp = t.await.unwrap();
        match resp.status {
            200 => ok += 1,
            503 => {
                assert_eq!(resp.header("retry-after"), Some("1"));
                assert_eq!(protocol_error(resp), (503, "busy".into()));
                busy += 1;
            }
            s => panic!("unexpected status {s}"),
        }
    }
    assert!(ok >= 1 && busy >= 1, "{ok} ok, {busy} busy");
    assert!(ok <= 8 - busy);
    // Metrics count the rejections.
    let text = http::get(format!("{base}/metrics")).send().await.text();
    assert!(
        text.contains(&format!(
            "photocheck_http_errors_total{{code=\"busy\"}} {busy}"
        )),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_past_its_deadline_gets_504() {
    let _machine = crate::common::share();
    let base = start(ServeOptions {
        timeout: Duration::from_millis(30),
        ..options()
    })
    .await;
    let resp = post_raw(&base, "", "image/png", fixture("astronaut.png")).await;
    assert_eq!(protocol_error(resp), (504, "timeout".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_allows_the_configured_origin_only() {
    let _machine = crate::common::share();
    let base = start(ServeOptions {
        cors_origins: vec!["https://forms.example.org".into()],
        ..options()
    })
    .await;
    let preflight = |origin: &'static str| {
        Request::new("OPTIONS", format!("{base}/v1/check"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let resp = preflight("https://forms.example.org").await;
    assert!((200..300).contains(&resp.status), "{}", resp.status);
    assert_eq!(
        resp.header("access-control-allow-origin"),
        Some("https://forms.example.org")
    );
    let resp = preflight("https://evil.example.com").await;
    assert!(resp.header("access-control-allow-origin").is_none());
    // A real request from the allowed origin carries the header too.
    let resp = http::post(format!("{base}/v1/check"))
        .header("origin", "https://forms.example.org")
        .body("image/jpeg", fixture(LICENCE))
        .send()
        .await;
    assert_eq!(resp.status, 200);
    assert_eq!(
        resp.header("access-control-allow-origin"),
        Some("https://forms.example.org")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_verdicts_and_latency() {
    let _machine = crate::common::share();
    let base = start(options()).await;
    assert_eq!(
        post_raw(&base, "", "image/jpeg", fixture(LICENCE))
            .await
            .status,
        200
    );
    assert_eq!(
        post_raw(&base, "", "image/jpeg", fixture(HEAD_SMALL))
            .await
            .status,
        200
    );
    assert_eq!(
        post_raw(&base, "", "image/jpeg", b"nope".to_vec())
            .await
            .status,
        422
    );
    assert_eq!(
        post_raw(&base, "", "text/plain", b"nope".to_vec())
            .await
            .status,
        415
    );
    let resp = http::get(format!("{base}/metrics")).send().await;
    assert_eq!(resp.status, 200);
    assert!(
        resp.header("content-type")
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = resp.text();
    for line in [
        "photocheck_checks_total{verdict=\"pass\"} 1",
        "photocheck_checks_total{verdict=\"fail\"} 1",
        "photocheck_checks_total{verdict=\"error\"} 1",
        "photocheck_http_requests_total{endpoint=\"/v1/check\",status=\"200\"} 2",
        "photocheck_http_requests_total{endpoint=\"/v1/check\",status=\"422\"} 1",
        "photocheck_http_requests_total{endpoint=\"/v1/check\",status=\"415\"} 1",
        "photocheck_http_errors_total{code=\"unsupported_media_type\"} 1",
        "photocheck_http_request_duration_seconds_count{endpoint=\"/v1/check\"} 4",
        "photocheck_check_duration_seconds_count 3",
        "photocheck_checks_running 0",
        "photocheck_checks_pending 0",
        "# TYPE photocheck_http_request_duration_seconds histogram",
    ] {
        assert!(text.contains(line), "missing `{line}` in\n{text}");
    }
    assert!(text.contains(
        "photocheck_http_request_duration_seconds_bucket{endpoint=\"/v1/check\",le=\"0.005\"}"
    ));
}

/// `photocheck serve` as a user runs it: the start line names the address, the service
/// answers, SIGTERM stops it with exit code 0; bad options exit 2.
#[cfg(unix)]
#[test]
fn the_serve_command_starts_answers_and_stops_on_sigterm() {
    let _machine = crate::common::share();
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_photocheck"))
        .args(["serve", "--listen", "127.0.0.1:0", "--max-concurrent", "1"])
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
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"status\":\"ok\""), "{answer}");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    assert_eq!(status.code(), Some(0), "{rest}");
    assert!(rest.contains("stopping"), "{rest}");

    for bad in [
        vec!["--cors-origin", "forms.example.org"],
        vec!["--max-body", "0"],
        vec!["--timeout", "0"],
        vec!["--spec", "nope"],
        vec!["--listen", "not-an-address"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_photocheck"))
            .arg("serve")
            .args(&bad)
            .env("LANG", "C")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(!out.stderr.is_empty(), "{bad:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fix_answers_the_fixed_photo_and_both_checks() {
    let _machine = crate::common::share();
    let base = start(options()).await;
    let bytes = fixture(HEAD_SMALL);
    let resp = http::post(format!("{base}/v1/fix?spec=cn-driving-licence"))
        .body("image/jpeg", bytes.clone())
        .send()
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.header("cache-control"), Some("no-store"));
    let got: Value = resp.json();
    assert_eq!(got["before"]["verdict"], "fail");
    // The failing rule says what to do and that fix repairs it.
    let length = got["before"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "head_length")
        .unwrap();
    assert_eq!(length["advice"]["fix"], "yes", "{length}");
    assert!(
        length["advice"]["en"].as_str().unwrap().contains("larger"),
        "{length}"
    );
    assert_eq!(got["after"]["verdict"], "pass", "{}", got["after"]);
    assert_eq!(
        (
            got["output_width_px"].as_u64(),
            got["output_height_px"].as_u64()
        ),
        (Some(260), Some(378))
    );
    assert_eq!(got["source_to_output"].as_array().map(Vec::len), Some(6));
    assert!(got["reason"].is_null());
    // The fixed photo itself: a JPEG of the reported size whose check is the `after` report.
    let url = got["output"].as_str().unwrap();
    let b64 = url
        .strip_prefix("data:image/jpeg;base64,")
        .expect("a JPEG data URL");
    use base64::Engine as _;
    let jpeg = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    let img = image::load_from_memory(&jpeg).unwrap();
    assert_eq!((img.width(), img.height()), (260, 378));

    // A face-only crop is refused with a reason, as a 200 answer with no output.
    let face_only = fixture("made/astronaut_face_only.jpg");
    let resp = http::post(format!("{base}/v1/fix"))
        .body("image/jpeg", face_only)
        .send()
        .await;
    assert_eq!(resp.status, 200);
    let got: Value = resp.json();
    assert!(got["output"].is_null(), "{got}");
    assert!(
        got["reason"].as_str().is_some_and(|r| !r.is_empty()),
        "{got}"
    );

    // Not a photo: 422 with the report of the photo as given; a bad background: 400.
    let resp = http::post(format!("{base}/v1/fix"))
        .body("image/jpeg", b"not a photo".to_vec())
        .send()
        .await;
    assert_eq!(resp.status, 422);
    let got: Value = resp.json();
    assert_eq!(got["before"]["error"]["kind"], "not_an_image");
    let resp = http::post(format!("{base}/v1/fix?background=blue"))
        .body("image/jpeg", bytes)
        .send()
        .await;
    assert_eq!(protocol_error(resp), (400, "bad_query".to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lang_takes_bcp47_tags_and_accept_language() {
    let _machine = crate::common::share();
    let base = start(options()).await;
    let bytes = fixture(LICENCE);
    for tag in ["zh", "zh-CN", "zh-Hans", "en-US", "EN"] {
        let resp = post_raw(&base, &format!("?lang={tag}"), "image/jpeg", bytes.clone()).await;
        assert_eq!(resp.status, 200, "lang={tag}: {}", resp.text());
    }
    let resp = http::post(format!("{base}/v1/check?annotate=true"))
        .header("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8")
        .body("image/jpeg", bytes.clone())
        .send()
        .await;
    assert_eq!(resp.status, 200);
    let resp = post_raw(&base, "?lang=fr-FR", "image/jpeg", bytes).await;
    assert_eq!(protocol_error(resp), (400, "bad_query".to_string()));
}
