//! The web page in headless Chromium: choose a fixture, read the verdict, the rules table and
//! the annotated image from the page; choose a failing one, read its advice, click "fix it"
//! and read the fixed photo and its download link; switch to Chinese.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`/usr/bin/chromium`,
//! `/usr/bin/chromedriver`; or `CHROME` and `CHROMEDRIVER` naming them). `.ci/run` installs
//! them; under CI (`CI` set) a missing browser fails the test, elsewhere it is skipped with a
//! note. Screenshots of the page at desktop and phone width are kept in `target/screenshots/`
//! (or `PHOTOCHECK_SCREENSHOT_DIR`).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::serve::start;
use crate::common::webdriver::Session;
use photocheck::serve::ServeOptions;

fn tool(var: &str, default: &str) -> Option<PathBuf> {
    let p = std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from);
    p.is_file().then_some(p)
}

/// Kills chromedriver (and with it the browser it started) when the test ends, even on panic.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A Chromium session through a chromedriver started here; with `phone` (width, height) a
/// phone is emulated (touch, that viewport, a phone's pixel ratio).
async fn browser(
    driver: &std::path::Path,
    chrome: &std::path::Path,
    phone: Option<(u32, u32)>,
) -> (Driver, tempfile::TempDir, Session) {
    let port = free_port();
    let profile = tempfile::tempdir().unwrap();
    let driver = Driver(
        Command::new(driver)
            .arg(format!("--port={port}"))
            .env("LANG", "C")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let webdriver = format!("http://127.0.0.1:{port}");
    let mut options = serde_json::json!({
        "binary": chrome,
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", "--lang=en-US", "--hide-scrollbars",
            format!("--user-data-dir={}", profile.path().display()),
        ],
        "prefs": {"intl.accept_languages": "en-US"}
    });
    if let Some((width, height)) = phone {
        options["mobileEmulation"] = serde_json::json!({
            "deviceMetrics": {"width": width, "height": height, "pixelRatio": 3.0, "touch": true},
            "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Mobile Safari/537.36"
        });
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    // chromedriver takes a moment to listen.
    let started = Instant::now();
    let client = loop {
        match Session::start(&webdriver, serde_json::Value::Object(caps.clone())).await {
            Ok(c) => break c,
            Err(e) if started.elapsed() < Duration::from_secs(30) => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("cannot start a Chromium session: {e}"),
        }
    };
    (driver, profile, client)
}

/// Chromium and chromedriver, or `None` (the test is skipped, or fails under CI).
fn tools() -> Option<(PathBuf, PathBuf)> {
    match (
        tool("CHROME", "/usr/bin/chromium"),
        tool("CHROMEDRIVER", "/usr/bin/chromedriver"),
    ) {
        (Some(chrome), Some(driver)) => Some((chrome, driver)),
        _ => {
            let why = "headless Chromium not found (apt-get install chromium chromium-driver, or set CHROME and CHROMEDRIVER)";
            if std::env::var_os("CI").is_some() {
                panic!("{why}");
            }
            use std::io::Write as _;
            let _ = writeln!(std::io::stderr(), "SKIPPED the browser test: {why}");
            None
        }
    }
}

/// Where screenshots go: `PHOTOCHECK_SCREENSHOT_DIR`, else `target/screenshots` (kept as test
/// artefacts).
fn screenshot_dir() -> PathBuf {
    let dir = std::env::var_os("PHOTOCHECK_SCREENSHOT_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots"),
        PathBuf::from,
    );
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_checks_a_photo_in_headless_chromium() {
    let _machine = crate::common::share();
    let Some((chrome, driver)) = tools() else {
        return;
    };
    let base = start(ServeOptions {
        max_concurrent: 2,
        ..ServeOptions::default()
    })
    .await;

    let (_driver, _profile, client) = browser(&driver, &chrome, None).await;
    let result = async {
        client.goto(&format!("{base}/")).await?;
        let wait = Duration::from_secs(60);
        client.wait_for("body[data-ready='true']", wait).await?;
        let photo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/made/astronaut_licence.jpg");
        client
            .find("#photo")
            .await?
            .send_keys(&photo.display().to_string())
            .await?;
        let verdict = client
            .wait_for(
                "#verdict[data-verdict='pass'], #verdict[data-verdict='fail'], #verdict[data-verdict='error']",
                wait,
            )
            .await?;
        let v = verdict.attr("data-verdict").await?.unwrap_or_default();
        let text = verdict.text().await?;
        let rows = client.find_all("#rules tbody tr").await?;
        let head = client
            .find("#rules tbody tr[data-id='head_length']")
            .await?
            .text()
            .await?;
        let img = client
            .find("#annotated")
            .await?
            .attr("src")
            .await?
            .unwrap_or_default();
        // A photo whose head is too small: the advice comes first, and "fix it" shows the
        // fixed photo beside the original with a download link.
        let small = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/made/astronaut_head_small.jpg");
        client
            .find("#photo")
            .await?
            .send_keys(&small.display().to_string())
            .await?;
        client
            .wait_for("#verdict[data-verdict='fail']", wait)
            .await?;
        let advice = client
            .wait_for("#advice li[data-id='head_length']", wait)
            .await?
            .text()
            .await?;
        client.find("#fix").await?.click().await?;
        let fixed = client
            .wait_for("#fixed[data-state='fixed'], #fixed[data-state='refused']", wait)
            .await?;
        let fix_state = (
            fixed.attr("data-state").await?.unwrap_or_default(),
            fixed.attr("data-verdict").await?.unwrap_or_default(),
        );
        let fixed_src = client
            .find("#fix-after")
            .await?
            .attr("src")
            .await?
            .unwrap_or_default();
        let download = client
            .find("#fix-download")
            .await?
            .attr("download")
            .await?
            .unwrap_or_default();
        client.find("#lang-zh").await?.click().await?;
        let zh = client.find("#verdict").await?.text().await?;
        let zh_advice = client
            .find("#advice li[data-id='head_length']")
            .await?
            .text()
            .await?;
        // A picture of the page (Chinese, after "fix it") to look at: target/screenshots/.
        client.set_window_size(1200, 900).await?;
        std::fs::write(
            screenshot_dir().join("desktop-zh-fixed.png"),
            client.screenshot().await?,
        )
        .expect("write the screenshot");
        Ok::<_, String>((
            (v, text, rows.len(), head, img, zh),
            (advice, fix_state, fixed_src, download, zh_advice),
        ))
    }
    .await;
    let _ = client.close().await;
    let ((verdict, text, rows, head, img, zh), (advice, fix_state, fixed_src, download, zh_advice)) =
        result.expect("the page works");
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "browser test: verdict {verdict} ({text}), {rows} rules; head_length row: {head}"
    );
    assert_eq!(verdict, "pass");
    assert!(text.contains("PASS"), "{text}");
    assert!(rows >= 10, "{rows} rows");
    assert!(
        head.contains("head_length") && head.contains("19 – 22"),
        "{head}"
    );
    assert!(
        img.starts_with("data:image/png;base64,"),
        "{}",
        &img[..img.len().min(40)]
    );
    assert!(zh.contains("不合格"), "{zh}");
    let _ = writeln!(
        std::io::stderr(),
        "browser test: advice `{advice}`; fix {fix_state:?}, download as {download}"
    );
    assert!(
        advice.contains("head_length") && advice.contains("larger"),
        "{advice}"
    );
    assert!(zh_advice.contains("放大"), "{zh_advice}");
    assert_eq!(fix_state, ("fixed".to_string(), "pass".to_string()));
    assert!(
        fixed_src.starts_with("data:image/jpeg;base64,"),
        "{}",
        &fixed_src[..fixed_src.len().min(40)]
    );
    assert_eq!(download, "astronaut_head_small.fixed.jpg");
}

/// Whether the page scrolls sideways, and where the verdict is: `[scroll width, viewport
/// width, verdict top, verdict bottom, viewport height]`.
async fn layout(client: &Session) -> Result<Vec<f64>, String> {
    let v = client
        .execute(
            "const r = document.getElementById('verdict').getBoundingClientRect();
             return [document.documentElement.scrollWidth, window.innerWidth, r.top, r.bottom, window.innerHeight];",
        )
        .await?;
    Ok(v.as_array()
        .ok_or("no layout")?
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect())
}

/// A 12 MP-class JPEG stored sideways with EXIF orientation 6 (as a phone writes it): the
/// hopper fixture's pixels enlarged to 3000 px, with its EXIF segment.
fn large_sideways_photo(dir: &std::path::Path) -> (PathBuf, u64) {
    let original = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/exif-orientation/hopper_orient_6.jpg"),
    )
    .unwrap();
    // The stored pixels, as they are in the file (no orientation applied).
    let stored = image::load_from_memory_with_format(&original, image::ImageFormat::Jpeg)
        .unwrap()
        .to_rgb8();
    let (w, h) = stored.dimensions();
    let big = image::imageops::resize(
        &stored,
        3000,
        3000 * h / w,
        image::imageops::FilterType::Triangle,
    );
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 92)
        .encode_image(&big)
        .unwrap();
    // The original's APP1 (EXIF) segment goes right after the new file's SOI marker.
    let mut p = 2;
    let app1 = loop {
        let len = usize::from(u16::from_be_bytes([original[p + 2], original[p + 3]]));
        if original[p + 1] == 0xE1 {
            break &original[p..p + 2 + len];
        }
        p += 2 + len;
    };
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(app1);
    out.extend_from_slice(&jpeg[2..]);
    let path = dir.join("phone_photo.jpg");
    std::fs::write(&path, &out).unwrap();
    (path, out.len() as u64)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_works_on_a_phone_and_sends_large_photos_smaller() {
    let _machine = crate::common::share();
    let Some((chrome, driver)) = tools() else {
        return;
    };
    let base = start(ServeOptions {
        max_concurrent: 2,
        ..ServeOptions::default()
    })
    .await;
    let photos = tempfile::tempdir().unwrap();
    let (large, large_bytes) = large_sideways_photo(photos.path());
    let wait = Duration::from_secs(60);
    let fixture = |name: &str| {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(name)
            .display()
            .to_string()
    };
    // A phone (390 x 844, touch), then the page at desktop width.
    let mut seen = Vec::new();
    for (label, phone) in [("phone", Some((390, 844))), ("desktop", None)] {
        let (_driver, _profile, client) = browser(&driver, &chrome, phone).await;
        let result = async {
            if phone.is_none() {
                client.set_window_size(1280, 900).await?;
            }
            client.goto(&format!("{base}/")).await?;
            client.wait_for("body[data-ready='true']", wait).await?;
            let camera_shown = client
                .execute("return getComputedStyle(document.getElementById('camera-button')).display !== 'none';")
                .await?;
            let capture = client.find("#camera").await?.attr("capture").await?;
            client
                .find("#photo")
                .await?
                .send_keys(&fixture("fixtures/made/astronaut_head_small.jpg"))
                .await?;
            client.wait_for("#verdict[data-verdict='fail']", wait).await?;
            client.wait_for("#advice li", wait).await?;
            let checked = layout(&client).await?;
            let advice_top = client
                .execute("return document.getElementById('advice').getBoundingClientRect().top;")
                .await?;
            std::fs::write(
                screenshot_dir().join(format!("{label}-en.png")),
                client.screenshot().await?,
            )
            .expect("write the screenshot");
            client.find("#lang-zh").await?.click().await?;
            let zh_layout = layout(&client).await?;
            let zh_details = client
                .find("#rules tbody tr[data-id='head_length'] td.msg")
                .await?
                .text()
                .await?;
            let zh_spec = client
                .execute("const s = document.getElementById('spec'); return s.options[s.selectedIndex].textContent;")
                .await?;
            std::fs::write(
                screenshot_dir().join(format!("{label}-zh.png")),
                client.screenshot().await?,
            )
            .expect("write the screenshot");
            // A large photo stored sideways: made smaller and upright in the browser.
            client
                .find("#photo")
                .await?
                .send_keys(&large.display().to_string())
                .await?;
            // Until the large photo's report is in (the earlier one is 378 px high).
            let started = Instant::now();
            let sent = loop {
                let v = client
                    .execute("const r = lastReport && lastReport.body; return r && r.image && r.image.height_px > 1000 ? [Number(document.body.dataset.sentBytes), r.image.width_px, r.image.height_px, r.measurements ? r.measurements.faces : -1] : null;")
                    .await?;
                if !v.is_null() {
                    break v;
                }
                if started.elapsed() > wait {
                    return Err("the large photo was not checked".to_string());
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            };
            Ok::<_, String>((camera_shown, capture, checked, advice_top, zh_layout, zh_details, zh_spec, sent))
        }
        .await;
        let _ = client.close().await;
        seen.push((label, phone, result.expect("the page works")));
    }
    use std::io::Write as _;
    for (
        label,
        phone,
        (camera, capture, checked, advice_top, zh_layout, zh_details, zh_spec, sent),
    ) in seen
    {
        let _ = writeln!(
            std::io::stderr(),
            "browser {label}: layout {checked:?} (zh {zh_layout:?}), advice at {advice_top}, camera button {camera}, sent {sent} of {large_bytes} bytes; zh details `{zh_details}`, spec `{zh_spec}`"
        );
        for l in [&checked, &zh_layout] {
            // No sideways scrolling, and the verdict in view.
            assert!(
                l[0] <= l[1],
                "{label}: the page is {} px wide in a {} px viewport",
                l[0],
                l[1]
            );
            assert!(
                l[2] >= 0.0 && l[3] <= l[4],
                "{label}: verdict at {}..{} of {}",
                l[2],
                l[3],
                l[4]
            );
        }
        // The advice comes right under the verdict, also in view on a phone.
        assert!(
            advice_top.as_f64().unwrap() < checked[4],
            "{label}: advice below the fold"
        );
        assert_eq!(capture.as_deref(), Some("user"));
        assert_eq!(
            camera,
            serde_json::Value::Bool(phone.is_some()),
            "{label}: camera button"
        );
        assert!(zh_details.contains("放大"), "{label}: {zh_details}");
        assert!(
            zh_spec.as_str().unwrap().contains("机动车驾驶证"),
            "{label}: {zh_spec}"
        );
        // Sent smaller than the file, upright (portrait) and at most 2400 px; the face found.
        let s: Vec<f64> = sent
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert!(
            s[0] > 0.0 && s[0] < large_bytes as f64,
            "{label}: sent {} bytes",
            s[0]
        );
        assert!(s[1] < s[2] && s[2] <= 2400.0, "{label}: {}x{}", s[1], s[2]);
        assert_eq!(s[3], 1.0, "{label}: faces");
    }
}
