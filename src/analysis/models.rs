//! The embedded neural models, loaded and optimised once per [`crate::Engine`].
//!
//! Sources and licences: `models/PROVENANCE.md`.

use tract_onnx::prelude::*;

use crate::error::{Error, Result};

/// SeetaFace frontal face detector (rustface), BSD-2-Clause.
pub(crate) const SEETA_MODEL: &[u8] = include_bytes!("../../models/seeta_fd_frontal_v1.0.bin");
/// MediaPipe face mesh (468 points), Apache-2.0.
const FACE_MESH_ONNX: &[u8] = include_bytes!("../../models/face_landmark.onnx");
/// MediaPipe selfie segmentation (person incl. hair), Apache-2.0.
const SELFIE_SEGMENTATION_ONNX: &[u8] = include_bytes!("../../models/selfie_segmentation.onnx");

/// Input side of the face-mesh model, px.
pub(crate) const FACE_MESH_SIDE: usize = 192;
/// Input side of the segmentation model, px.
pub(crate) const SEGMENTATION_SIDE: usize = 256;

/// A runnable, optimised tract plan (shareable across threads).
pub(crate) type Plan = Arc<TypedRunnableModel>;

/// A model being loaded and optimised on its own thread; the first use waits for it.
pub(crate) struct Loading {
    plan: std::sync::OnceLock<std::result::Result<Plan, String>>,
    thread: std::sync::Mutex<Option<std::thread::JoinHandle<Result<Plan>>>>,
}

impl Loading {
    fn spawn(bytes: &'static [u8], side: usize, name: &'static str) -> Loading {
        let thread = std::thread::Builder::new()
            .name(format!("load {name}"))
            .spawn(move || load_onnx(bytes, side, name));
        let (plan, thread) = match thread {
            Ok(t) => (std::sync::OnceLock::new(), Some(t)),
            // No thread to be had: load here.
            Err(_) => (
                std::sync::OnceLock::from(load_onnx(bytes, side, name).map_err(|e| e.to_string())),
                None,
            ),
        };
        Loading {
            plan,
            thread: std::sync::Mutex::new(thread),
        }
    }

    /// The optimised plan, waiting for the loader if it is still running.
    pub(crate) fn get(&self) -> Result<&Plan> {
        self.plan
            .get_or_init(|| {
                let thread = self.thread.lock().ok().and_then(|mut t| t.take());
                match thread.map(|t| t.join()) {
                    Some(Ok(loaded)) => loaded.map_err(|e| e.to_string()),
                    Some(Err(_)) => Err("the model loader panicked".into()),
                    None => Err("the model loader is gone".into()),
                }
            })
            .as_ref()
            .map_err(|e| Error::Model(e.clone()))
    }
}

/// All models an engine needs, loaded once. The neural models load and optimise on two
/// threads of their own (about 20 and 40 ms of CPU), alongside decoding and face detection.
pub(crate) struct Models {
    pub seeta: rustface::Model,
    pub face_mesh: Loading,
    pub segmentation: Loading,
}

impl Models {
    /// Starts loading: returns at once (SeetaFace is read here, in under a millisecond).
    pub(crate) fn start() -> Result<Models> {
        let seeta = rustface::read_model(SEETA_MODEL)
            .map_err(|e| Error::Model(format!("SeetaFace model: {e}")))?;
        Ok(Models {
            seeta,
            face_mesh: Loading::spawn(FACE_MESH_ONNX, FACE_MESH_SIDE, "face mesh"),
            segmentation: Loading::spawn(
                SELFIE_SEGMENTATION_ONNX,
                SEGMENTATION_SIDE,
                "segmentation",
            ),
        })
    }

    /// Loads every model, waiting for all of them.
    pub(crate) fn load() -> Result<Models> {
        let models = Models::start()?;
        models.face_mesh.get()?;
        models.segmentation.get()?;
        Ok(models)
    }
}

/// Loads an ONNX model with its input shape fixed and makes it runnable: typed, then tract's
/// code generation. tract's declutter passes are skipped: they cost 20 ms (face mesh) and
/// 45 ms (segmentation) at load, leave the face mesh as fast and its output identical, and
/// would save the segmentation model 1.4 ms per run (outputs differ by under 1e-5), which a
/// single-photo call or a service's first request cannot win back.
fn load_onnx(bytes: &[u8], side: usize, name: &str) -> Result<Plan> {
    let load = || -> TractResult<Plan> {
        let mut model: TypedModel = tract_onnx::onnx()
            .model_for_read(&mut &bytes[..])?
            .with_input_fact(0, f32::fact([1, side, side, 3]).into())?
            .into_typed()?;
        model.optimize()?;
        model.into_runnable()
    };
    load().map_err(|e| Error::Model(format!("{name} model: {e}")))
}

/// Runs a plan on one NHWC input and returns its outputs as flat f32 vectors.
pub(crate) fn run(plan: &Plan, input: Tensor) -> Result<Vec<Vec<f32>>> {
    let outputs = plan
        .run(tvec!(input.into()))
        .map_err(|e| Error::Model(e.to_string()))?;
    outputs
        .iter()
        .map(|t| {
            t.to_plain_array_view::<f32>()
                .map(|a| a.iter().copied().collect())
                .map_err(|e| Error::Model(e.to_string()))
        })
        .collect()
}
