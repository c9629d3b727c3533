//! A neural network with a fixed NHWC input, run with tract (or, in a build with the
//! `onnxruntime` feature and `ORT_DYLIB_PATH` set, with ONNX Runtime: see [`Runtime`]).

use tract_onnx::prelude::*;

use crate::error::{Error, Result};

/// A runnable, optimised tract plan (shareable across threads).
type Plan = Arc<TypedRunnableModel>;

/// The runtime the networks run on, chosen once per process ([`Runtime::from_env`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Runtime {
    /// tract (pure Rust, built in): the default, and the only runtime of a default build.
    #[default]
    Tract,
    /// ONNX Runtime, loaded at start from the shared library `ORT_DYLIB_PATH` names (1.22 or
    /// later; for example the one `pip install onnxruntime` puts in
    /// `site-packages/onnxruntime/capi/`). Only in a build with the `onnxruntime` feature. It
    /// runs the converted originals in `models/source/` (the shipped rewrites are for tract);
    /// outputs agree with tract's to 1e-4 (test `onnxruntime_computes_what_tract_computes`).
    #[cfg(feature = "onnxruntime")]
    OnnxRuntime,
}

impl Runtime {
    /// The runtime of this process: [`Runtime::OnnxRuntime`] in a build with the
    /// `onnxruntime` feature when the environment variable `ORT_DYLIB_PATH` is set (the library
    /// is loaded here, once per process), else [`Runtime::Tract`].
    ///
    /// Errors: [`Error::Model`] when `ORT_DYLIB_PATH` names no file or a file that is not a
    /// usable ONNX Runtime library.
    pub fn from_env() -> Result<Runtime> {
        #[cfg(feature = "onnxruntime")]
        if std::env::var_os("ORT_DYLIB_PATH").is_some_and(|p| !p.is_empty()) {
            super::onnxruntime::init()?;
            return Ok(Runtime::OnnxRuntime);
        }
        Ok(Runtime::Tract)
    }

    /// Its name, as logs say it (`photocheck serve` names it at start): `tract` or
    /// `onnxruntime`.
    pub fn name(self) -> &'static str {
        match self {
            Runtime::Tract => "tract",
            #[cfg(feature = "onnxruntime")]
            Runtime::OnnxRuntime => "onnxruntime",
        }
    }
}

/// An embedded network: the ONNX file tract runs (`models/`, exact rewrites for tract) and the
/// converted original (`models/source/`, what ONNX Runtime runs; the same as `tract` in a
/// build without the `onnxruntime` feature, which does not embed the originals).
///
/// The engine's own networks are compiled into the binary (`include_bytes!`): once one is
/// loaded, the pages of its bytes are handed back to the kernel (see
/// [`super::release_embedded_pages`]). A network made with [`Embedded::single`] keeps its
/// bytes as given.
#[derive(Debug, Clone, Copy)]
pub struct Embedded {
    /// Name for errors ("face mesh").
    pub name: &'static str,
    /// Input side, px (the input is `[1, side, side, 3]`).
    pub side: usize,
    /// The model tract runs.
    pub tract: &'static [u8],
    /// The model ONNX Runtime runs.
    pub source: &'static [u8],
    /// Whether both byte slices are `include_bytes!` data of this binary (read-only pages
    /// mapped from the executable file), whose pages may be released after a load. Only the
    /// `runtime` module's own models say so.
    pub(super) in_binary: bool,
}

impl Embedded {
    /// A network given as one ONNX file, the same for both runtimes.
    pub fn single(bytes: &'static [u8], side: usize, name: &'static str) -> Embedded {
        Embedded {
            name,
            side,
            tract: bytes,
            source: bytes,
            in_binary: false,
        }
    }

    fn bytes(&self, runtime: Runtime) -> &'static [u8] {
        match runtime {
            Runtime::Tract => self.tract,
            #[cfg(feature = "onnxruntime")]
            Runtime::OnnxRuntime => self.source,
        }
    }
}

/// A network loaded on one of the runtimes.
enum Loaded {
    Tract(Plan),
    #[cfg(feature = "onnxruntime")]
    Ort(super::onnxruntime::Sessions),
}

/// How much of tract's optimisation a network gets at load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Optimisation {
    /// Typed, then code generation; tract's declutter passes are skipped (the cheap load, for
    /// a one-shot run or a short batch).
    #[default]
    CodegenOnly,
    /// tract's `into_optimized` (declutter, then code generation): for a long-running process
    /// (`photocheck serve`), where the load cost is paid once. Segmentation: about 40 ms more
    /// load, about 0.4 ms less per run (6.1-6.8 against 6.7-6.8 ms, `examples/model_time.rs`,
    /// three runs on this machine).
    Full,
}

/// An ONNX model with its input fixed to `[1, side, side, 3]` f32 (NHWC), loaded on a thread
/// of its own; the first [`Network::run`] waits for the load. Shareable across threads.
pub struct Network {
    name: &'static str,
    side: usize,
    /// The runtime and the model, for a network loaded on first use ([`Network::lazy`]).
    lazy: Option<(Runtime, Embedded)>,
    plan: std::sync::OnceLock<std::result::Result<Loaded, String>>,
    thread: std::sync::Mutex<Option<std::thread::JoinHandle<Result<Loaded>>>>,
    /// Whether dropping the network waits for its loading thread: ONNX Runtime aborts the
    /// process when it exits while a session is being made (an empty shard, a batch that
    /// stops early); tract's loading needs no wait.
    wait_on_drop: bool,
}

impl Drop for Network {
    fn drop(&mut self) {
        if self.wait_on_drop {
            let thread = self.thread.get_mut().ok().and_then(Option::take);
            if let Some(thread) = thread {
                // The load's outcome no longer matters, only that it has ended.
                let _ = thread.join();
            }
        }
    }
}

impl Network {
    /// Starts loading an embedded network on `runtime` (the optimisation applies to tract
    /// only) on a new thread (on this one when no thread can be had) and returns at once.
    pub fn spawn_on(runtime: Runtime, model: Embedded, optimisation: Optimisation) -> Network {
        let thread = std::thread::Builder::new()
            .name(format!("load {}", model.name))
            .spawn(move || load(runtime, model, optimisation));
        let (plan, thread) = match thread {
            Ok(t) => (std::sync::OnceLock::new(), Some(t)),
            Err(_) => (
                std::sync::OnceLock::from(
                    load(runtime, model, optimisation).map_err(|e| e.to_string()),
                ),
                None,
            ),
        };
        Network {
            name: model.name,
            side: model.side,
            lazy: None,
            plan,
            thread: std::sync::Mutex::new(thread),
            wait_on_drop: runtime != Runtime::Tract,
        }
    }

    /// A network loaded with tract on the thread that first runs it (for a model that most
    /// photos never need, such as the iris model): costs nothing until then.
    pub fn lazy(bytes: &'static [u8], side: usize, name: &'static str) -> Network {
        Network::lazy_on(Runtime::Tract, Embedded::single(bytes, side, name))
    }

    /// [`Network::lazy`] on the given runtime.
    pub fn lazy_on(runtime: Runtime, model: Embedded) -> Network {
        Network {
            name: model.name,
            side: model.side,
            lazy: Some((runtime, model)),
            plan: std::sync::OnceLock::new(),
            thread: std::sync::Mutex::new(None),
            wait_on_drop: false,
        }
    }

    /// The input side, px (the input is `[1, side, side, 3]`).
    pub fn side(&self) -> usize {
        self.side
    }

    /// Waits until the model is loaded.
    ///
    /// Errors: [`Error::Model`] when it could not be loaded (a build problem).
    pub fn ready(&self) -> Result<()> {
        self.plan().map(|_| ())
    }

    fn plan(&self) -> Result<&Loaded> {
        self.plan
            .get_or_init(|| {
                let thread = self.thread.lock().ok().and_then(|mut t| t.take());
                match (thread.map(|t| t.join()), self.lazy) {
                    (Some(Ok(loaded)), _) => loaded.map_err(|e| e.to_string()),
                    (Some(Err(_)), _) => Err("the model loader panicked".into()),
                    (None, Some((runtime, model))) => {
                        load(runtime, model, Optimisation::CodegenOnly).map_err(|e| e.to_string())
                    }
                    (None, None) => Err("the model loader is gone".into()),
                }
            })
            .as_ref()
            .map_err(|e| Error::Model(e.clone()))
    }

    /// Runs the model on one input: `nhwc` holds `side * side * 3` values, row-major, RGB.
    /// Returns every output as a flat f32 vector, in the model's output order.
    ///
    /// Errors: [`Error::Model`] for a wrong input length or a runtime failure.
    pub fn run(&self, nhwc: Vec<f32>) -> Result<Vec<Vec<f32>>> {
        let n = self.side;
        if nhwc.len() != n * n * 3 {
            return Err(Error::Model(format!(
                "{} input: {} values for a {n} x {n} x 3 input",
                self.name,
                nhwc.len()
            )));
        }
        // One arm in a build without the `onnxruntime` feature.
        #[allow(clippy::infallible_destructuring_match)]
        let plan = match self.plan()? {
            Loaded::Tract(plan) => plan,
            #[cfg(feature = "onnxruntime")]
            Loaded::Ort(sessions) => return sessions.run(nhwc, n),
        };
        let input = tract_ndarray::Array4::from_shape_vec((1, n, n, 3), nhwc)
            .map_err(|e| Error::Model(format!("{} input: {e}", self.name)))?;
        let outputs = plan
            .run(tvec!(Tensor::from(input).into()))
            .map_err(|e| Error::Model(format!("{}: {e}", self.name)))?;
        outputs
            .iter()
            .map(|t| {
                t.to_plain_array_view::<f32>()
                    .map(|a| a.iter().copied().collect())
                    .map_err(|e| Error::Model(format!("{}: {e}", self.name)))
            })
            .collect()
    }
}

/// Loads a network on `runtime`; then the pages of a model embedded in the binary go back to
/// the kernel (the plan or session holds what it needs).
fn load(runtime: Runtime, model: Embedded, optimisation: Optimisation) -> Result<Loaded> {
    let bytes = model.bytes(runtime);
    let loaded = match runtime {
        Runtime::Tract => load_onnx(bytes, model.side, model.name, optimisation).map(Loaded::Tract),
        #[cfg(feature = "onnxruntime")]
        Runtime::OnnxRuntime => {
            super::onnxruntime::Sessions::load(bytes, model.name, model.in_binary).map(Loaded::Ort)
        }
    };
    if model.in_binary {
        super::release_embedded_pages(bytes);
    }
    loaded
}

/// Loads an ONNX model with its input shape fixed and makes it runnable: typed, then tract's
/// code generation, with tract's declutter passes first only for [`Optimisation::Full`]
/// (declutter costs 20-65 ms per model at load; it leaves the face mesh as fast and its
/// output identical, and saves the segmentation model 0.7 ms per run, outputs differing by
/// under 1e-6: worth it only where the load is paid once).
fn load_onnx(bytes: &[u8], side: usize, name: &str, optimisation: Optimisation) -> Result<Plan> {
    let load = || -> TractResult<Plan> {
        let model: TypedModel = tract_onnx::onnx()
            .model_for_read(&mut &bytes[..])?
            .with_input_fact(0, f32::fact([1, side, side, 3]).into())?
            .into_typed()?;
        let model = match optimisation {
            Optimisation::Full => model.into_optimized()?,
            Optimisation::CodegenOnly => {
                let mut model = model;
                model.optimize()?;
                model
            }
        };
        model.into_runnable()
    };
    load().map_err(|e| Error::Model(format!("{name} model: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real portrait (`fixtures/grace_hopper.jpg`) as a `[1, side, side, 3]` input in
    /// `lo..hi`: the centre square, resized.
    fn portrait(side: usize, lo: f32, hi: f32) -> Vec<f32> {
        let img = image::open(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/grace_hopper.jpg"
        ))
        .expect("fixture")
        .to_rgb8();
        let s = img.width().min(img.height());
        let square = image::imageops::crop_imm(&img, (img.width() - s) / 2, 0, s, s).to_image();
        let small = image::imageops::resize(
            &square,
            side as u32,
            side as u32,
            image::imageops::FilterType::Triangle,
        );
        small
            .pixels()
            .flat_map(|p| p.0)
            .map(|v| lo + f32::from(v) / 255.0 * (hi - lo))
            .collect()
    }

    /// The shipped models are exact graph rewrites (`tools/rewrite_models.py`) of the
    /// converted originals in `models/source/`: in tract, on a real portrait, every output
    /// agrees to 1e-4.
    #[test]
    fn rewritten_models_compute_what_their_sources_compute() {
        let cases: [(&str, &'static [u8], usize, f32); 4] = [
            ("face_landmark", super::super::FACE_MESH_ONNX, 192, 0.0),
            (
                "selfie_segmentation",
                super::super::SELFIE_SEGMENTATION_ONNX,
                256,
                0.0,
            ),
            ("iris_landmark", super::super::IRIS_ONNX, 64, 0.0),
            (
                "face_detection_short_range",
                super::super::blazeface::BLAZEFACE_ONNX,
                128,
                -1.0,
            ),
        ];
        for (name, shipped, side, lo) in cases {
            let source = std::fs::read(format!(
                "{}/models/source/{name}.onnx",
                env!("CARGO_MANIFEST_DIR")
            ))
            .expect("source model");
            let source: &'static [u8] = Box::leak(source.into_boxed_slice());
            let input = portrait(side, lo, 1.0);
            let a = Network::lazy(source, side, "source")
                .run(input.clone())
                .unwrap();
            let b = Network::lazy(shipped, side, "shipped").run(input).unwrap();
            assert_eq!(a.len(), b.len(), "{name}: outputs");
            for (x, y) in a.iter().zip(&b) {
                assert_eq!(x.len(), y.len(), "{name}: output length");
                let worst = x
                    .iter()
                    .zip(y)
                    .map(|(p, q)| (p - q).abs())
                    .fold(0.0, f32::max);
                assert!(worst <= 1e-4, "{name}: outputs differ by {worst}");
            }
            // The test cannot pass on two empty outputs.
            assert!(a.iter().map(Vec::len).sum::<usize>() > 0);
        }
    }

    /// With the `onnxruntime` feature, ONNX Runtime (running the converted originals) and
    /// tract (running the shipped rewrites) agree on every output of every network to 1e-4
    /// (relative to the value where it exceeds 1: BlazeFace's boxes are in input px), on a
    /// real portrait. Needs `ORT_DYLIB_PATH` (README "Performance"): the test fails
    /// without it rather than pass untested.
    #[cfg(feature = "onnxruntime")]
    #[test]
    fn onnxruntime_computes_what_tract_computes() {
        let runtime = Runtime::from_env().expect("ONNX Runtime loads");
        assert_eq!(
            runtime,
            Runtime::OnnxRuntime,
            "set ORT_DYLIB_PATH to an ONNX Runtime library (1.22 or later) to test the \
             onnxruntime feature"
        );
        let models = [
            (super::super::FACE_MESH, 0.0),
            (super::super::SELFIE_SEGMENTATION, 0.0),
            (super::super::IRIS, 0.0),
            (super::super::blazeface::BLAZEFACE, -1.0),
        ];
        for (model, lo) in models {
            let input = portrait(model.side, lo, 1.0);
            let tract = Network::lazy_on(Runtime::Tract, model)
                .run(input.clone())
                .unwrap();
            let ort = Network::lazy_on(Runtime::OnnxRuntime, model)
                .run(input)
                .unwrap();
            assert_eq!(tract.len(), ort.len(), "{}: outputs", model.name);
            for (x, y) in tract.iter().zip(&ort) {
                assert_eq!(x.len(), y.len(), "{}: output length", model.name);
                assert!(!x.is_empty(), "{}: an empty output", model.name);
                let worst = x
                    .iter()
                    .zip(y)
                    .map(|(p, q)| (p - q).abs() / p.abs().max(1.0))
                    .fold(0.0, f32::max);
                assert!(worst <= 1e-4, "{}: outputs differ by {worst}", model.name);
            }
        }
    }
}
