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

/// Hands the pages of a model embedded in this binary back to the kernel once the model is
/// loaded. A model is read once, by its load; the plan or session keeps what it needs, but the
/// pages the load read stay mapped and count in the process's resident memory for as long as
/// it runs (the models are 4-7 MB: a one-core batch of 120 suite photos peaked at 65 MB with
/// tract and 85 MB with ONNX Runtime, and at 58 and 77 MB with the pages released). A later
/// read (another session for a second worker) faults them in again from the executable file,
/// unchanged. On other platforms, nothing to do.
///
/// `bytes` must be `include_bytes!` data of this binary: read-only pages mapped from the
/// executable file. (On heap memory `MADV_DONTNEED` would zero the pages; the callers are the
/// `runtime` module's own models, see [`Embedded`].)
fn release_embedded_pages(bytes: &'static [u8]) {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: sysconf only reads a system setting.
        let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(0);
        if page == 0 {
            return;
        }
        // Only whole pages inside the slice: its first and last pages may hold other data.
        let start = (bytes.as_ptr() as usize).div_ceil(page) * page;
        let end = (bytes.as_ptr() as usize + bytes.len()) / page * page;
        if end > start {
            // SAFETY: [start, end) lies inside `bytes`, read-only data of the executable's
            // file mapping that nothing writes: MADV_DONTNEED only drops this process's
            // mapping of those pages, and the next read maps the same bytes from the file. A
            // refusal leaves the pages mapped, which is correct too.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = bytes;
}

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
    in_binary: true,
};
/// Selfie segmentation on both runtimes.
const SELFIE_SEGMENTATION: Embedded = Embedded {
    name: "segmentation",
    side: SEGMENTATION_SIDE,
    tract: SELFIE_SEGMENTATION_ONNX,
    source: source!("selfie_segmentation.onnx", SELFIE_SEGMENTATION_ONNX),
    in_binary: true,
};
/// Iris landmarks on both runtimes.
const IRIS: Embedded = Embedded {
    name: "iris landmarks",
    side: IRIS_SIDE,
    tract: IRIS_ONNX,
    source: source!("iris_landmark.onnx", IRIS_ONNX),
    in_binary: true,
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
    /// Starts loading: returns at once; the networks load on threads of their own and the
    /// first run waits for them (SeetaFace's cascade reads its model on first use).
    ///
    /// Errors: [`crate::Error::Model`] if ONNX Runtime was asked for and cannot be loaded
    /// ([`Runtime::from_env`]).
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
    /// Errors: none on a runtime already chosen (the `Result` keeps the signature of
    /// [`Models::start`]).
    pub fn start_on(runtime: Runtime, optimisation: Optimisation) -> Result<Models> {
        Ok(Models {
            face_detector: BlazeFace::on(runtime),
            cascade: Box::new(SeetaFace::embedded()),
            iris: Network::lazy_on(runtime, IRIS),
            face_mesh: Network::spawn_on(runtime, FACE_MESH, Optimisation::CodegenOnly),
            segmentation: Network::spawn_on(runtime, SELFIE_SEGMENTATION, optimisation),
            runtime,
        })
    }

    /// Loads every network, waiting for all of them (the iris network and SeetaFace's cascade
    /// still load on first use).
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

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// 64 KiB of read-only data in the binary (like an embedded model), used by this test only.
    static PAGES: [u8; 65536] = {
        let mut a = [0u8; 65536];
        let mut i = 0;
        while i < a.len() {
            a[i] = (i % 251) as u8 + 1;
            i += 1;
        }
        a
    };

    /// How many of the whole pages inside `bytes` this process has mapped, and how many there
    /// are (`/proc/self/pagemap`: bit 63 of each page's entry says "present").
    fn mapped_pages(bytes: &[u8]) -> (usize, usize) {
        use std::io::{Read, Seek, SeekFrom};
        let page = 4096;
        let start = (bytes.as_ptr() as usize).div_ceil(page);
        let end = (bytes.as_ptr() as usize + bytes.len()) / page;
        let mut pagemap = std::fs::File::open("/proc/self/pagemap").unwrap();
        pagemap.seek(SeekFrom::Start(start as u64 * 8)).unwrap();
        let mut entries = vec![0u8; (end - start) * 8];
        pagemap.read_exact(&mut entries).unwrap();
        let present = entries.chunks_exact(8).filter(|e| e[7] >> 7 == 1).count();
        (present, end - start)
    }

    #[test]
    fn released_embedded_pages_leave_the_process_and_read_back_the_same() {
        let sum = |b: &[u8]| b.iter().map(|&v| u64::from(v)).sum::<u64>();
        let data: &'static [u8] = std::hint::black_box(&PAGES);
        let before = sum(data);
        let (present, pages) = mapped_pages(data);
        assert!(
            pages >= 15 && present == pages,
            "{present} of {pages} mapped after a read"
        );
        release_embedded_pages(data);
        assert_eq!(
            mapped_pages(data).0,
            0,
            "pages still mapped after the release"
        );
        assert_eq!(sum(data), before, "the bytes read back differently");
        assert_eq!(mapped_pages(data).0, pages);
    }
}
