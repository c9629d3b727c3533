//! The one seam to the neural-network runtime (tract; ONNX Runtime in a build with the
//! `onnxruntime` feature, see [`Runtime`]) and the face detectors (BlazeFace, SeetaFace run by
//! rustface).
//!
//! No other module names a tract, `ort` or rustface type: the analysis sees a [`Network`] ("a model
//! with a fixed `[1, side, side, 3]` NHWC input that I can run") and a [`FaceDetector`] ("find
//! face boxes in a grey image"). ONNX Runtime (`onnxruntime.rs`) came in changing only this
//! folder; another runtime (a WASM build) or detector would too.
//!
//! The models are embedded in the binary (`models/`, sources and licences in
//! `models/PROVENANCE.md`); nothing is downloaded at run time.

/// The converted original of a shipped network (`models/source/`), what ONNX Runtime runs;
/// a build without the `onnxruntime` feature does not embed them and gives the shipped one.
/// (Defined before the modules, so that `blazeface` can use it too.)
#[cfg(feature = "onnxruntime")]
macro_rules! source {
    ($file:literal, $shipped:expr) => {
        include_bytes!(concat!("../../models/source/", $file))
    };
}
#[cfg(not(feature = "onnxruntime"))]
macro_rules! source {
    ($file:literal, $shipped:expr) => {
        $shipped
    };
}

mod blazeface;
mod detector;
mod network;
#[cfg(feature = "onnxruntime")]
mod onnxruntime;

pub use blazeface::BlazeFace;
pub use detector::{FaceBox, FaceDetector, SeetaFace};
pub use network::{Embedded, Network, Optimisation, Runtime};

use crate::error::Result;

/// MediaPipe face mesh (468 points), Apache-2.0.
const FACE_MESH_ONNX: &[u8] = include_bytes!("../../models/face_landmark.onnx");
/// MediaPipe selfie segmentation (person incl. hair), Apache-2.0.
const SELFIE_SEGMENTATION_ONNX: &[u8] = include_bytes!("../../models/selfie_segmentation.onnx");

/// MediaPipe iris landmarks (eyelid contour and iris of one eye), Apache-2.0.
const IRIS_ONNX: &[u8] = include_bytes!("../../models/iris_landmark.onnx");

/// The face mesh on both runtimes.
const FACE_MESH: Embedded = Embedded {
    name: "face mesh",
    side: FACE_MESH_SIDE,
    tract: FACE_MESH_ONNX,
    source: source!("face_landmark.onnx", FACE_MESH_ONNX),
};
/// Selfie segmentation on both runtimes.
const SELFIE_SEGMENTATION: Embedded = Embedded {
    name: "segmentation",
    side: SEGMENTATION_SIDE,
    tract: SELFIE_SEGMENTATION_ONNX,
    source: source!("selfie_segmentation.onnx", SELFIE_SEGMENTATION_ONNX),
};
/// Iris landmarks on both runtimes.
const IRIS: Embedded = Embedded {
    name: "iris landmarks",
    side: IRIS_SIDE,
    tract: IRIS_ONNX,
    source: source!("iris_landmark.onnx", IRIS_ONNX),
};

/// Input side of the iris model, px.
pub const IRIS_SIDE: usize = 64;
/// Input side of the face-mesh model, px.
pub const FACE_MESH_SIDE: usize = 192;
/// Input side of the segmentation model, px.
pub const SEGMENTATION_SIDE: usize = 256;

/// Every model an engine uses, loaded once and shared by all threads.
pub struct Models {
    /// MediaPipe BlazeFace (short range), the face detector every photo runs first (issue 17:
    /// 3-4 ms against SeetaFace's 11-27 ms, and it finds more faces: on the multi-face recall
    /// set of `examples/face_recall.rs`, 99.4 % of faces against 86.9 %).
    pub face_detector: BlazeFace,
    /// SeetaFace's frontal cascade (`rustface`), run only where BlazeFace's 128 px input is too
    /// coarse: when BlazeFace finds no face (a face under about a tenth of a large photo's
    /// longest side, found by the cascade's search at 200, 400 and 800 px), and to find the
    /// turn of a photo on its side or upside down.
    pub cascade: Box<dyn FaceDetector>,
    /// MediaPipe iris landmarks: input `[1, 64, 64, 3]` RGB in 0..1 (one eye); outputs 213
    /// values (71 eye-contour points x, y, z in input px) and 15 (5 iris points). Loaded on
    /// first use: it runs only when the eyes' look leaves their openness in doubt.
    pub iris: Network,
    /// MediaPipe face mesh: input `[1, 192, 192, 3]` RGB in 0..1; outputs 1404 values (468
    /// points x, y, z in input px) and a face-presence logit.
    pub face_mesh: Network,
    /// MediaPipe selfie segmentation: input `[1, 256, 256, 3]` RGB in 0..1; output 256 x 256
    /// person probabilities.
    pub segmentation: Network,
    /// The runtime the networks run on.
    pub runtime: Runtime,
}

impl Models {
    /// Starts loading: returns at once (the detector is read here, in under a millisecond);
    /// the networks load on threads of their own and the first run waits for them.
    ///
    /// Errors: [`crate::Error::Model`] if the detector's embedded model cannot be read, or
    /// ONNX Runtime was asked for and cannot be loaded ([`Runtime::from_env`]).
    pub fn start() -> Result<Models> {
        Models::start_with(Optimisation::CodegenOnly)
    }

    /// [`Models::start`], with the segmentation network (the one tract's declutter passes
    /// speed up) optimised as `optimisation` says.
    ///
    /// Errors: as [`Models::start`].
    pub fn start_with(optimisation: Optimisation) -> Result<Models> {
        Models::start_on(Runtime::from_env()?, optimisation)
    }

    /// [`Models::start_with`] on the given runtime (the optimisation applies to tract only).
    ///
    /// Errors: as [`Models::start`].
    pub fn start_on(runtime: Runtime, optimisation: Optimisation) -> Result<Models> {
        Ok(Models {
            face_detector: BlazeFace::on(runtime),
            cascade: Box::new(SeetaFace::embedded()?),
            iris: Network::lazy_on(runtime, IRIS),
            face_mesh: Network::spawn_on(runtime, FACE_MESH, Optimisation::CodegenOnly),
            segmentation: Network::spawn_on(runtime, SELFIE_SEGMENTATION, optimisation),
            runtime,
        })
    }

    /// Loads every model, waiting for all of them.
    ///
    /// Errors: [`crate::Error::Model`] if an embedded model cannot be loaded (a build problem),
    /// or ONNX Runtime was asked for and cannot be loaded ([`Runtime::from_env`]).
    pub fn load() -> Result<Models> {
        Models::load_with(Optimisation::CodegenOnly)
    }

    /// [`Models::load`] with the given optimisation of the segmentation network.
    ///
    /// Errors: as [`Models::load`].
    pub fn load_with(optimisation: Optimisation) -> Result<Models> {
        Models::load_on(Runtime::from_env()?, optimisation)
    }

    /// [`Models::load_with`] on the given runtime.
    ///
    /// Errors: as [`Models::load`].
    pub fn load_on(runtime: Runtime, optimisation: Optimisation) -> Result<Models> {
        let models = Models::start_on(runtime, optimisation)?;
        models.face_detector.ready()?;
        models.face_mesh.ready()?;
        models.segmentation.ready()?;
        Ok(models)
    }
}
