//! Shared by the HTTP service tests: start `photocheck::serve` on a free loopback port.

use photocheck::Engine;
use photocheck::serve::{ServeOptions, serve};

/// Starts the service on `127.0.0.1:0` in the current tokio runtime; returns its base URL
/// (`http://127.0.0.1:PORT`). The server stops with the runtime (the end of the test).
pub async fn start(options: ServeOptions) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("local address");
    let engine = Engine::new().expect("models load");
    tokio::spawn(async move {
        serve(listener, engine, options, std::future::pending())
            .await
            .expect("serve");
    });
    format!("http://{addr}")
}

/// A fixture's bytes.
pub fn fixture(rel: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
