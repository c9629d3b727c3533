//! All integration tests, in one test binary: each former `tests/*.rs` file is a module here,
//! so `cargo test` links one binary against the engine (tract) instead of eleven.
//!
//! Run one module or test by name: `cargo test --release --test it serve_http::` or
//! `cargo test --release --test it -- --exact batch::golden_reports_in_every_format`.
//!
//! The tests share one process: nothing here may change the process's environment or current
//! folder (child processes get their own through `Command::env` and `current_dir`), servers
//! listen on port 0, and a test that measures the machine takes it alone (`common::alone`;
//! every other test holds `common::share` while it runs). The counting allocator of
//! `batch_memory` is the whole binary's allocator; it measures in a child process that runs
//! only that test.

mod common;

mod appearance;
mod bad_inputs;
mod batch;
mod batch_memory;
mod colour;
mod decode;
mod detection;
mod fix;
mod fixtures;
mod mesh;
mod photo_suite;
mod reports;
#[cfg(feature = "serve")]
mod serve_browser;
#[cfg(feature = "serve")]
mod serve_defences;
#[cfg(feature = "serve")]
mod serve_http;
#[cfg(feature = "serve")]
mod serve_load;
mod shards;
mod specs;
mod zh;
