//! The web page in headless Chromium: choose a fixture, read the verdict, the rules table and
//! the annotated image from the page; choose a failing one, read its advice, click "fix it"
//! and read the fixed photo and its download link; switch to Chinese.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`/usr/bin/chromium`,
//! `/usr/bin/chromedriver`; or `CHROME` and `CHROMEDRIVER` naming them). `.ci/run` installs
//! them; under CI (`CI` set) a missing browser fails the test, elsewhere it is skipped with a
//! note. `PHOTOCHECK_SCREENSHOT=page.png` keeps a screenshot of the page with the result.

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_checks_a_photo_in_headless_chromium() {
    let _machine = crate::common::share();
    let (Some(chrome), Some(driver)) = (
        tool("CHROME", "/usr/bin/chromium"),
        tool("CHROMEDRIVER", "/usr/bin/chromedriver"),
    ) else {
        let why = "headless Chromium not found (apt-get install chromium chromium-driver, or set CHROME and CHROMEDRIVER)";
        if std::env::var_os("CI").is_some() {
            panic!("{why}");
        }
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), "SKIPPED the browser test: {why}");
        return;
    };
    let base = start(ServeOptions {
        max_concurrent: 2,
        ..ServeOptions::default()
    })
    .await;

    let port = free_port();
    let profile = tempfile::tempdir().unwrap();
    let _driver = Driver(
        Command::new(&driver)
            .arg(format!("--port={port}"))
            .env("LANG", "C")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let webdriver = format!("http://127.0.0.1:{port}");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chrome,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--lang=en-US",
                format!("--user-data-dir={}", profile.path().display()),
            ],
            "prefs": {"intl.accept_languages": "en-US"}
        }),
    );
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
        // PHOTOCHECK_SCREENSHOT=page.png keeps a picture of the page (Chinese) to look at.
        if let Some(path) = std::env::var_os("PHOTOCHECK_SCREENSHOT") {
            client.set_window_size(1200, 900).await?;
            std::fs::write(path, client.screenshot().await?).expect("write the screenshot");
        }
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
