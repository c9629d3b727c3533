//! A neural network with a fixed NHWC input, run with tract.

use tract_onnx::prelude::*;

use crate::error::{Error, Result};

/// A runnable, optimised tract plan (shareable across threads).
type Plan = Arc<TypedRunnableModel>;

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
    /// The model's bytes, for a network loaded on first use ([`Network::lazy`]).
    bytes: Option<&'static [u8]>,
    plan: std::sync::OnceLock<std::result::Result<Plan, String>>,
    thread: std::sync::Mutex<Option<std::thread::JoinHandle<Result<Plan>>>>,
}

impl Network {
    /// Starts loading an embedded ONNX model on a new thread (on this one when no thread can
    /// be had) and returns at once.
    pub fn spawn(bytes: &'static [u8], side: usize, name: &'static str) -> Network {
        Network::spawn_with(bytes, side, name, Optimisation::CodegenOnly)
    }

    /// [`Network::spawn`] with the given optimisation.
    pub fn spawn_with(
        bytes: &'static [u8],
        side: usize,
        name: &'static str,
        optimisation: Optimisation,
    ) -> Network {
        let thread = std::thread::Builder::new()
            .name(format!("load {name}"))
            .spawn(move || load_onnx(bytes, side, name, optimisation));
        let (plan, thread) = match thread {
            Ok(t) => (std::sync::OnceLock::new(), Some(t)),
            Err(_) => (
                std::sync::OnceLock::from(
                    load_onnx(bytes, side, name, optimisation).map_err(|e| e.to_string()),
                ),
                None,
            ),
        };
        Network {
            name,
            side,
            bytes: None,
            plan,
            thread: std::sync::Mutex::new(thread),
        }
    }

    /// A network loaded on the thread that first runs it (for a model that most photos never
    /// need, such as the iris model): costs nothing until then.
    pub fn lazy(bytes: &'static [u8], side: usize, name: &'static str) -> Network {
        Network {
            name,
            side,
            bytes: Some(bytes),
            plan: std::sync::OnceLock::new(),
            thread: std::sync::Mutex::new(None),
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

    fn plan(&self) -> Result<&Plan> {
        self.plan
            .get_or_init(|| {
                let thread = self.thread.lock().ok().and_then(|mut t| t.take());
                match (thread.map(|t| t.join()), self.bytes) {
                    (Some(Ok(loaded)), _) => loaded.map_err(|e| e.to_string()),
                    (Some(Err(_)), _) => Err("the model loader panicked".into()),
                    (None, Some(bytes)) => {
                        load_onnx(bytes, self.side, self.name, Optimisation::CodegenOnly)
                            .map_err(|e| e.to_string())
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
        let input = tract_ndarray::Array4::from_shape_vec((1, n, n, 3), nhwc)
            .map_err(|e| Error::Model(format!("{} input: {e}", self.name)))?;
        let outputs = self
            .plan()?
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
}
