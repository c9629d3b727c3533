//! ONNX Runtime as the networks' runtime (the `onnxruntime` feature): the `ort` crate with
//! `load-dynamic`, so the build needs nothing but crates (it stays offline and pure Rust) and
//! the library is loaded at start from `ORT_DYLIB_PATH` ([`super::Runtime::from_env`]).
//!
//! Each session runs on the calling thread (one intra-op thread, no inter-op pool), as tract
//! does. `ort`'s `Session::run` takes the session mutably, so a network keeps a pool of
//! sessions: a run takes an idle one or, when every one is busy on another thread, loads one
//! more (a batch with `--jobs N` ends with at most N sessions per network).

use std::sync::{Mutex, OnceLock};

use ort::execution_providers::CPUExecutionProvider;
use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;
use ort::value::Tensor;

use crate::error::{Error, Result};

/// Loads the library `ORT_DYLIB_PATH` names and makes ONNX Runtime's environment, once per
/// process; later calls return the first call's outcome.
///
/// Errors: [`Error::Model`] when the path names no file, or a file that is not a usable ONNX
/// Runtime library (too old for `ort` 2.0's API, or not a library at all).
pub(super) fn init() -> Result<()> {
    static DONE: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        let path = std::env::var("ORT_DYLIB_PATH").unwrap_or_default();
        if !std::path::Path::new(&path).is_file() {
            return Err(format!(
                "ORT_DYLIB_PATH={path}: no such file (unset it to run the networks with tract)"
            ));
        }
        // `ort` panics when the library cannot be loaded or is too old: catch it here, so
        // that a wrong path is an error message and not a crash (the panic hook is silenced
        // meanwhile; this runs once, as the engine starts).
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let loaded = std::panic::catch_unwind(|| ort::init().with_name("photocheck").commit());
        std::panic::set_hook(hook);
        match loaded {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(format!("ONNX Runtime at {path}: {e}")),
            Err(panic) => {
                let why = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "it could not be loaded".into());
                Err(format!("ONNX Runtime at {path}: {why}"))
            }
        }
    })
    .clone()
    .map_err(Error::Model)
}

/// The sessions of one network (see the module's docs).
pub(super) struct Sessions {
    bytes: &'static [u8],
    /// Whether `bytes` are embedded in the binary (their pages go back to the kernel after
    /// each load, see `super::release_embedded_pages`).
    in_binary: bool,
    name: String,
    idle: Mutex<Vec<Session>>,
}

impl Sessions {
    /// Loads the first session of a network.
    ///
    /// Errors: [`Error::Model`] when ONNX Runtime cannot load the model.
    pub(super) fn load(bytes: &'static [u8], name: &str, in_binary: bool) -> Result<Sessions> {
        init()?;
        let first = session(bytes, name)?;
        Ok(Sessions {
            bytes,
            in_binary,
            name: name.to_string(),
            idle: Mutex::new(vec![first]),
        })
    }

    /// Runs the network on one `[1, side, side, 3]` input: every output as a flat f32 vector,
    /// in the model's output order.
    ///
    /// Errors: [`Error::Model`] when a session cannot be loaded or run.
    pub(super) fn run(&self, nhwc: Vec<f32>, side: usize) -> Result<Vec<Vec<f32>>> {
        let fail = |e: ort::Error| Error::Model(format!("{}: {e}", self.name));
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let mut session = match idle {
            Some(s) => s,
            None => {
                let more = session(self.bytes, &self.name);
                if self.in_binary {
                    super::release_embedded_pages(self.bytes);
                }
                more?
            }
        };
        let input = Tensor::from_array(([1usize, side, side, 3], nhwc)).map_err(fail)?;
        let outputs = {
            let outputs = session.run(ort::inputs![input]).map_err(fail)?;
            outputs
                .iter()
                .map(|(_, value)| {
                    value
                        .try_extract_tensor::<f32>()
                        .map(|(_, data)| data.to_vec())
                        .map_err(fail)
                })
                .collect::<Result<Vec<_>>>()?
        };
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(session);
        }
        Ok(outputs)
    }
}

/// A session on the calling thread: one intra-op thread, all graph optimisations, and neither
/// ONNX Runtime's memory arena nor its memory patterns: with them a one-core batch of 120
/// suite photos peaked at 98 MB against 81 MB, for about 5 % more speed (3.17 against 3.35 s,
/// medians of five interleaved runs).
fn session(bytes: &[u8], name: &str) -> Result<Session> {
    let built = || {
        let cpu = CPUExecutionProvider::default()
            .with_arena_allocator(false)
            .build();
        Session::builder()?
            .with_execution_providers([cpu])?
            .with_memory_pattern(false)?
            .with_optimization_level(GraphOptimizationLevel::Level3)?
            .with_intra_threads(1)?
            .with_inter_threads(1)?
            .commit_from_memory(bytes)
    };
    built().map_err(|e| Error::Model(format!("{name} model (ONNX Runtime): {e}")))
}
