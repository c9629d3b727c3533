//! The few W3C WebDriver commands the browser test needs (the protocol is JSON over HTTP), on
//! the test client in `http.rs`: open a page, find elements by CSS selector (and wait for
//! one), type into them, click, read text and attributes, take a screenshot.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::http::{Request, Response};

/// The key of an element reference in WebDriver's JSON.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub type Result<T> = std::result::Result<T, String>;

/// A browser session on a WebDriver server (chromedriver).
pub struct Session {
    url: String,
}

/// An element of the session's current page.
pub struct Element<'a> {
    session: &'a Session,
    id: String,
}

fn value(resp: Response) -> Result<Value> {
    let body: Value = serde_json::from_slice(&resp.body).map_err(|e| {
        format!(
            "status {}: {e}: {}",
            resp.status,
            String::from_utf8_lossy(&resp.body)
        )
    })?;
    if resp.status != 200 {
        return Err(format!(
            "status {}: {}: {}",
            resp.status, body["value"]["error"], body["value"]["message"]
        ));
    }
    Ok(body["value"].clone())
}

impl Session {
    /// Starts a session on the WebDriver server at `webdriver` (`http://127.0.0.1:PORT`).
    pub async fn start(webdriver: &str, capabilities: Value) -> Result<Session> {
        let resp = Request::new("POST", format!("{webdriver}/session"))
            .json(&json!({"capabilities": {"alwaysMatch": capabilities}}))
            .try_send()
            .await?;
        let v = value(resp)?;
        let id = v["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no session id in {v}"))?;
        Ok(Session {
            url: format!("{webdriver}/session/{id}"),
        })
    }

    async fn command(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value> {
        let mut request = Request::new(method, format!("{}{path}", self.url));
        if let Some(body) = body {
            request = request.json(&body);
        }
        value(request.try_send().await?)
    }

    pub async fn goto(&self, url: &str) -> Result<()> {
        self.command("POST", "/url", Some(json!({ "url": url })))
            .await
            .map(drop)
    }

    fn element(&self, v: &Value) -> Result<Element<'_>> {
        let id = v[ELEMENT]
            .as_str()
            .ok_or_else(|| format!("not an element: {v}"))?;
        Ok(Element {
            session: self,
            id: id.to_string(),
        })
    }

    pub async fn find(&self, css: &str) -> Result<Element<'_>> {
        let v = self
            .command(
                "POST",
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await
            .map_err(|e| format!("{css}: {e}"))?;
        self.element(&v)
    }

    pub async fn find_all(&self, css: &str) -> Result<Vec<Element<'_>>> {
        let v = self
            .command(
                "POST",
                "/elements",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await?;
        v.as_array()
            .ok_or_else(|| format!("not a list: {v}"))?
            .iter()
            .map(|e| self.element(e))
            .collect()
    }

    /// The first element matching `css`, once there is one (polled), at most `at_most` from now.
    pub async fn wait_for(&self, css: &str, at_most: Duration) -> Result<Element<'_>> {
        let start = Instant::now();
        loop {
            match self.find(css).await {
                Ok(e) => return Ok(e),
                Err(_) if start.elapsed() < at_most => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => return Err(format!("waited {at_most:?}: {e}")),
            }
        }
    }

    pub async fn set_window_size(&self, width: u32, height: u32) -> Result<()> {
        self.command(
            "POST",
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        )
        .await
        .map(drop)
    }

    /// Runs `script` (a function body) in the page; its return value.
    pub async fn execute(&self, script: &str) -> Result<Value> {
        self.command(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// A PNG of the window.
    pub async fn screenshot(&self) -> Result<Vec<u8>> {
        let v = self.command("GET", "/screenshot", None).await?;
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .map_err(|e| e.to_string())
    }

    /// Ends the session (the browser closes).
    pub async fn close(self) -> Result<()> {
        value(Request::new("DELETE", self.url).try_send().await?).map(drop)
    }
}

impl Element<'_> {
    async fn command(&self, method: &str, what: &str, body: Option<Value>) -> Result<Value> {
        self.session
            .command(method, &format!("/element/{}{what}", self.id), body)
            .await
    }

    pub async fn send_keys(&self, text: &str) -> Result<()> {
        self.command("POST", "/value", Some(json!({ "text": text })))
            .await
            .map(drop)
    }

    pub async fn click(&self) -> Result<()> {
        self.command("POST", "/click", Some(json!({})))
            .await
            .map(drop)
    }

    pub async fn text(&self) -> Result<String> {
        let v = self.command("GET", "/text", None).await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    pub async fn attr(&self, name: &str) -> Result<Option<String>> {
        let v = self
            .command("GET", &format!("/attribute/{name}"), None)
            .await?;
        Ok(v.as_str().map(str::to_string))
    }
}
