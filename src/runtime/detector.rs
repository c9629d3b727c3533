//! Face detection behind [`FaceDetector`]; the shipped detector is SeetaFace's frontal
//! cascade run by `rustface`.

use image::GrayImage;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// SeetaFace frontal face detector (rustface), BSD-2-Clause.
const SEETA_MODEL: &[u8] = include_bytes!("../../models/seeta_fd_frontal_v1.0.bin");

/// A detected face: an axis-aligned box in px of the image it was found in (a tight square
/// from the brows to the mouth or chin, SeetaFace's convention) and the detector's score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FaceBox {
    /// Left edge, px.
    pub x: f64,
    /// Top edge, px.
    pub y: f64,
    /// Width, px.
    pub width: f64,
    /// Height, px.
    pub height: f64,
    /// Detector score (SeetaFace: higher is surer; see
    /// [`crate::analysis::detect::MIN_FACE_SCORE`]).
    pub score: f64,
    /// Eye centres `[x, y]` px, the image-left eye (subject's right) first, where the detector
    /// gives them (BlazeFace does; SeetaFace does not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eyes: Option<[[f64; 2]; 2]>,
}

impl FaceBox {
    /// The box in another image's px: x and width times `sx`, y and height times `sy`; the
    /// score is kept.
    pub fn scaled(&self, sx: f64, sy: f64) -> FaceBox {
        FaceBox {
            x: self.x * sx,
            y: self.y * sy,
            width: self.width * sx,
            height: self.height * sy,
            score: self.score,
            eyes: self.eyes.map(|e| e.map(|[x, y]| [x * sx, y * sy])),
        }
    }
}

/// Finds faces in a grey image. Implementations are shared across threads.
pub trait FaceDetector: Send + Sync {
    /// Face boxes in `grey`'s px, in the detector's order, every candidate above the
    /// detector's own threshold (the analysis filters by score and size).
    fn detect(&self, grey: &GrayImage) -> Vec<FaceBox>;
    /// Smallest face side the detector finds, px of the image it is given.
    fn min_face_px(&self) -> u32;
}

/// SeetaFace's frontal cascade (`rustface`), with its model embedded and read on first use:
/// the engine runs the cascade only where BlazeFace finds no face or is unsure (none of the
/// photo suite's 327 photos), and the read model holds 1.2 MB of heap.
pub struct SeetaFace {
    model: std::sync::OnceLock<std::result::Result<rustface::Model, String>>,
}

impl SeetaFace {
    /// Smallest face side searched for, px.
    pub const MIN_FACE_PX: u32 = 40;
    /// The detector's own score threshold (SeetaFace's default is 2.0).
    pub const SCORE_THRESHOLD: f64 = 2.0;

    /// The detector with the embedded model, which is read (in under a millisecond) by the
    /// first [`FaceDetector::detect`] or [`SeetaFace::ready`].
    pub fn embedded() -> SeetaFace {
        SeetaFace {
            model: std::sync::OnceLock::new(),
        }
    }

    /// Reads the model now, if not yet read.
    ///
    /// Errors: [`Error::Model`] if the embedded model cannot be read (a build problem; a
    /// detector whose model cannot be read finds no face).
    pub fn ready(&self) -> Result<()> {
        self.model().map(|_| ())
    }

    fn model(&self) -> Result<&rustface::Model> {
        self.model
            .get_or_init(|| {
                let model =
                    rustface::read_model(SEETA_MODEL).map_err(|e| format!("SeetaFace model: {e}"));
                super::release_embedded_pages(SEETA_MODEL);
                model
            })
            .as_ref()
            .map_err(|e| Error::Model(e.clone()))
    }
}

impl FaceDetector for SeetaFace {
    fn detect(&self, grey: &GrayImage) -> Vec<FaceBox> {
        let Ok(model) = self.model() else {
            return Vec::new();
        };
        let mut detector = rustface::create_detector_with_model(model.clone());
        detector.set_min_face_size(Self::MIN_FACE_PX);
        detector.set_score_thresh(Self::SCORE_THRESHOLD);
        detector.set_pyramid_scale_factor(0.8);
        detector.set_slide_window_step(4, 4);
        let data = rustface::ImageData::new(grey.as_raw(), grey.width(), grey.height());
        detector
            .detect(&data)
            .into_iter()
            .map(|f| {
                let b = f.bbox();
                FaceBox {
                    x: f64::from(b.x()),
                    y: f64::from(b.y()),
                    width: f64::from(b.width()),
                    height: f64::from(b.height()),
                    score: f.score(),
                    eyes: None,
                }
            })
            .collect()
    }

    fn min_face_px(&self) -> u32 {
        Self::MIN_FACE_PX
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded model is read on first use and finds the face of a real portrait.
    #[test]
    fn seetaface_reads_its_model_on_first_use() {
        let seeta = SeetaFace::embedded();
        assert!(seeta.model.get().is_none(), "read before use");
        seeta.ready().unwrap();
        let grey = image::open(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/grace_hopper.jpg"
        ))
        .unwrap()
        .to_luma8();
        let faces = SeetaFace::embedded().detect(&grey);
        assert_eq!(faces.len(), 1, "{faces:?}");
        assert!(faces[0].width > 80.0 && faces[0].score > SeetaFace::SCORE_THRESHOLD);
    }
}
