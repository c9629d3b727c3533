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

/// All models an engine needs, loaded once.
pub(crate) struct Models {
    pub seeta: rustface::Model,
    pub face_mesh: Plan,
    pub segmentation: Plan,
}

impl Models {
    pub(crate) fn load() -> Result<Models> {
        let seeta = rustface::read_model(SEETA_MODEL)
            .map_err(|e| Error::Model(format!("SeetaFace model: {e}")))?;
        Ok(Models {
            seeta,
            face_mesh: load_onnx(FACE_MESH_ONNX, FACE_MESH_SIDE, "face mesh")?,
            segmentation: load_onnx(SELFIE_SEGMENTATION_ONNX, SEGMENTATION_SIDE, "segmentation")?,
        })
    }
}

fn load_onnx(bytes: &[u8], side: usize, name: &str) -> Result<Plan> {
    let load = || -> TractResult<Plan> {
        tract_onnx::onnx()
            .model_for_read(&mut &bytes[..])?
            .with_input_fact(0, f32::fact([1, side, side, 3]).into())?
            .into_optimized()?
            .into_runnable()
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
