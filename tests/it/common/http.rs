//! A small HTTP/1.1 client for the service and browser tests: one connection per request
//! (`Connection: close`), fixed-length and chunked answers, multipart forms. It stands in for
//! reqwest (and fantoccini's hyper client), whose extra features of hyper, tower, tokio and
//! syn made `cargo test` rebuild about 140 crates that `cargo build` had already built.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;

/// How long a request may wait for its answer unless it says otherwise.
const TIMEOUT: Duration = Duration::from_secs(120);

/// A request to `http://HOST:PORT/PATH?QUERY`.
pub struct Request {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    timeout: Duration,
}

pub fn get(url: impl Into<String>) -> Request {
    Request::new("GET", url)
}

pub fn post(url: impl Into<String>) -> Request {
    Request::new("POST", url)
}

impl Request {
    pub fn new(method: &str, url: impl Into<String>) -> Self {
        Self {
            method: method.to_string(),
            url: url.into(),
            headers: Vec::new(),
            body: Vec::new(),
            timeout: TIMEOUT,
        }
    }

    /// How long to wait for the connection, for sending and for each read of the answer.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// The body as it is, with its content type.
    pub fn body(self, content_type: &str, body: Vec<u8>) -> Self {
        let mut r = self.header("content-type", content_type);
        r.body = body;
        r
    }

    pub fn json(self, value: &Value) -> Self {
        self.body("application/json", value.to_string().into_bytes())
    }

    pub fn multipart(self, form: Form) -> Self {
        let content_type = format!("multipart/form-data; boundary={}", form.boundary);
        self.body(&content_type, form.finish())
    }

    /// Sends the request (on a blocking-pool thread of the current tokio runtime); panics on an
    /// I/O error.
    pub async fn send(self) -> Response {
        self.try_send().await.unwrap_or_else(|e| panic!("{e}"))
    }

    /// Sends the request (on a blocking-pool thread of the current tokio runtime).
    pub async fn try_send(self) -> Result<Response, String> {
        let what = format!("{} {}", self.method, self.url);
        tokio::task::spawn_blocking(move || self.send_blocking())
            .await
            .expect("the request's thread")
            .map_err(|e| format!("{what}: {e}"))
    }

    /// Sends the request and reads the whole answer.
    pub fn send_blocking(self) -> io::Result<Response> {
        let rest = self
            .url
            .strip_prefix("http://")
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "only http:// URLs"))?;
        let (host, target) = rest.find('/').map_or((rest, "/"), |i| rest.split_at(i));
        let mut stream = TcpStream::connect(host)?;
        stream.set_read_timeout(Some(self.timeout))?;
        stream.set_write_timeout(Some(self.timeout))?;
        let mut head = format!(
            "{} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.method,
            self.body.len()
        );
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&self.body);
        // A server may answer and close before it has read the whole body (a body over the
        // limit): the answer is still there to read.
        let sent = stream.write_all(&bytes);
        let mut buf = Vec::new();
        let mut chunk = [0u8; 64 * 1024];
        loop {
            if let Some(done) = Response::parse(&buf, false) {
                return Ok(done);
            }
            match stream.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // A reset after the answer arrived (the server closed with body unread).
                Err(_) if !buf.is_empty() => break,
                Err(e) => return Err(sent.err().unwrap_or(e)),
            }
        }
        Response::parse(&buf, true).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "incomplete answer: {:?}",
                    String::from_utf8_lossy(&buf[..buf.len().min(200)])
                ),
            )
        })
    }
}

/// An answer: status, headers in order, body (de-chunked).
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("a UTF-8 body")
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    /// The answer in `buf` once it is complete; `eof`: no more bytes will come.
    fn parse(buf: &[u8], eof: bool) -> Option<Response> {
        let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = std::str::from_utf8(&buf[..end]).ok()?;
        let mut lines = head.split("\r\n");
        let status: u16 = lines.next()?.split(' ').nth(1)?.parse().ok()?;
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let find = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v);
        let rest = &buf[end + 4..];
        let body = if (100..200).contains(&status) || status == 204 || status == 304 {
            Vec::new()
        } else if find("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
            dechunk(rest)?
        } else if let Some(len) = find("content-length") {
            let len: usize = len.parse().ok()?;
            rest.get(..len)?.to_vec()
        } else if eof {
            rest.to_vec()
        } else {
            return None;
        };
        Some(Response {
            status,
            headers,
            body,
        })
    }
}

/// The body of a chunked answer, once its last chunk is in.
fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n")?;
        let size = std::str::from_utf8(&rest[..line_end]).ok()?;
        let size = usize::from_str_radix(size.split(';').next()?.trim(), 16).ok()?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(rest.get(..size)?);
        rest = rest.get(size + 2..)?;
    }
}

/// A `multipart/form-data` body.
pub struct Form {
    boundary: String,
    body: Vec<u8>,
}

impl Default for Form {
    fn default() -> Self {
        Self::new()
    }
}

impl Form {
    pub fn new() -> Self {
        Self {
            boundary: "photocheck-test-boundary-7MA4YWxkTrZu0gW".to_string(),
            body: Vec::new(),
        }
    }

    pub fn text(mut self, name: &str, value: &str) -> Self {
        self.part(
            &format!("Content-Disposition: form-data; name=\"{name}\"\r\n"),
            value.as_bytes(),
        );
        self
    }

    pub fn file(mut self, name: &str, file_name: &str, content_type: &str, bytes: &[u8]) -> Self {
        self.part(
            &format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n"
            ),
            bytes,
        );
        self
    }

    fn part(&mut self, headers: &str, data: &[u8]) {
        self.body
            .extend_from_slice(format!("--{}\r\n{headers}\r\n", self.boundary).as_bytes());
        self.body.extend_from_slice(data);
        self.body.extend_from_slice(b"\r\n");
    }

    fn finish(mut self) -> Vec<u8> {
        self.body
            .extend_from_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        self.body
    }
}
