//! Stage: face detection. Runs BlazeFace on the whole photo ([`blazeface_faces`]); when it
//! finds no face, SeetaFace's cascade on a grey copy sized for ID photos, with retries at
//! larger sizes for small faces ([`cascade_faces`]); keeps the boxes that count as people.

use image::{GrayImage, RgbImage, imageops};

use crate::runtime::FaceDetector;

pub use crate::runtime::FaceBox;

/// BlazeFace score (100 x its face probability) under which BlazeFace is unsure of a face and
/// SeetaFace's cascade cross-checks it. Upright faces score 81-97 (photo suite, 327 photos;
/// multi-face recall set); the same photos turned upside down score 54-79, and BlazeFace finds
/// such faces as if upright.
pub const SURE_BLAZEFACE_SCORE: f64 = 80.0;

/// What face detection found in a photo.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Detection {
    /// Faces that count as people, boxes in the image's px, largest first.
    pub faces: Vec<FaceBox>,
    /// When no upright face was found but one was in the photo turned by this many degrees
    /// clockwise (90, 180 or 270).
    pub upright_turn_deg: Option<u16>,
}

/// Finds the faces of an upright RGB image: BlazeFace's faces, with SeetaFace's cascade (a
/// frontal, upright-only detector) run only where BlazeFace cannot settle it:
/// - BlazeFace finds no face: the cascade's faces (a face under about a tenth of a large
///   photo's longest side is too small for BlazeFace's 128 px input);
/// - BlazeFace's best face scores under [`SURE_BLAZEFACE_SCORE`]: the cascade cross-checks it;
///   when the cascade finds no upright face but finds one in the photo turned
///   ([`upright_turn`]), the photo is on its side or upside down and has no upright face;
///   otherwise BlazeFace's faces stand (faces the cascade misses: sunglasses, masks);
/// - no face either way: the turn that shows one, if any.
///
/// Errors: [`crate::Error::Model`] when BlazeFace cannot be loaded or run.
pub fn find_faces(
    models: &crate::runtime::Models,
    img: &RgbImage,
) -> crate::error::Result<Detection> {
    let cascade = models.cascade.as_ref();
    let faces = blazeface_faces(&models.face_detector, img)?;
    let best = faces.iter().map(|f| f.score).fold(0.0, f64::max);
    if faces.is_empty() {
        let faces = cascade_faces(cascade, img);
        let upright_turn_deg = if faces.is_empty() {
            upright_turn(cascade, img)
        } else {
            None
        };
        return Ok(Detection {
            faces,
            upright_turn_deg,
        });
    }
    let unconfirmed = best < SURE_BLAZEFACE_SCORE && cascade_faces(cascade, img).is_empty();
    if let Some(turn) = unconfirmed.then(|| upright_turn(cascade, img)).flatten() {
        return Ok(Detection {
            faces: Vec::new(),
            upright_turn_deg: Some(turn),
        });
    }
    Ok(Detection {
        faces,
        upright_turn_deg: None,
    })
}

/// Smallest SeetaFace score that counts as a face. SeetaFace's own default threshold is 2.0;
/// real faces in ID photos score well above 5, false positives on clothing or hair rarely
/// above 3.
pub const MIN_FACE_SCORE: f64 = 4.0;
/// A detection counts as a person when its box is at least this share of the largest face's
/// width, so that a tiny false positive in a patterned shirt does not make a photo "two
/// people".
///
/// A fifth (ISO/IEC 39794-5 and ICAO ask for one person; a second face of any visible size is
/// refused): the second face must still be at least [`crate::runtime::FaceDetector::min_face_px`]
/// in the detection copy, about 1/5 of the photo's longest side.
pub const MIN_FACE_SIZE_RATIO: f64 = 0.2;
/// Longest side of the grey copy the detector runs on first, px. An ID photo's face is large
/// (about half the width); SeetaFace finds faces down to about 40 px, so this covers faces of
/// at least 1/5 of the image's longest side, and the detector's cost grows with the image
/// size. When none is found, it runs again at 2x and 4x this size (faces down to 1/20).
pub const DETECTION_SIDE: u32 = 200;

/// Faces SeetaFace's cascade finds in an upright RGB image; boxes in the image's px, largest
/// first.
pub fn cascade_faces(detector: &dyn FaceDetector, img: &RgbImage) -> Vec<FaceBox> {
    let longest = img.width().max(img.height());
    // The grey copy for a detection size: a photo more than twice that size is reduced by
    // area averaging (cheap, no aliasing) straight to it; a smaller one is resized by the
    // detector's own filtered resize.
    let at = |side: u32| -> Vec<FaceBox> {
        if longest <= 2 * side {
            return detect_at(detector, &imageops::grayscale(img), side);
        }
        let s = f64::from(longest) / f64::from(side);
        let w = ((f64::from(img.width()) / s).round() as u32).max(1);
        let h = ((f64::from(img.height()) / s).round() as u32).max(1);
        let grey = imageops::grayscale(&imageops::thumbnail(img, w, h));
        let (sx, sy) = (
            f64::from(img.width()) / f64::from(w),
            f64::from(img.height()) / f64::from(h),
        );
        detect_at(detector, &grey, side)
            .into_iter()
            .map(|f| f.scaled(sx, sy))
            .collect()
    };
    let mut faces = at(DETECTION_SIDE);
    for factor in [2, 4] {
        if !faces.is_empty() || longest <= DETECTION_SIDE * factor / 2 {
            break;
        }
        faces = at(DETECTION_SIDE * factor);
    }
    faces.sort_by(|a, b| b.width.total_cmp(&a.width));
    let largest = faces.first().map_or(0.0, |f| f.width);
    faces.retain(|f| f.score >= MIN_FACE_SCORE && f.width >= MIN_FACE_SIZE_RATIO * largest);
    faces
}

/// Faces BlazeFace finds in an upright RGB image: boxes in the image's px, largest first,
/// filtered by size as [`cascade_faces`] filters ([`MIN_FACE_SIZE_RATIO`]; its probability
/// threshold is [`crate::runtime::BlazeFace::MIN_PROBABILITY`]). BlazeFace's box is the face
/// from the brows to the chin, about SeetaFace's.
///
/// Errors: [`crate::Error::Model`] when BlazeFace cannot be loaded or run.
pub fn blazeface_faces(
    detector: &crate::runtime::BlazeFace,
    img: &RgbImage,
) -> crate::error::Result<Vec<FaceBox>> {
    let mut faces = detector.detect(img)?;
    faces.sort_by(|a, b| b.width.total_cmp(&a.width));
    let largest = faces.first().map_or(0.0, |f| f.width);
    faces.retain(|f| f.width >= MIN_FACE_SIZE_RATIO * largest && f.width >= 8.0);
    Ok(faces)
}

/// For a photo with no upright face: the clockwise turn (90, 180 or 270 degrees) that shows
/// one, trying upside down first; `None` when no turn does. Runs only when the upright
/// detection found nothing (a failed photo), at the first detection size.
pub fn upright_turn(detector: &dyn FaceDetector, img: &RgbImage) -> Option<u16> {
    let longest = img.width().max(img.height());
    let scale = (f64::from(DETECTION_SIDE) / f64::from(longest)).min(1.0);
    let w = ((f64::from(img.width()) * scale).round() as u32).max(1);
    let h = ((f64::from(img.height()) * scale).round() as u32).max(1);
    let grey = imageops::grayscale(&imageops::thumbnail(img, w, h));
    let found = |g: &GrayImage| {
        detect_at(detector, g, DETECTION_SIDE)
            .iter()
            .any(|f| f.score >= MIN_FACE_SCORE)
    };
    if found(&imageops::rotate180(&grey)) {
        Some(180)
    } else if found(&imageops::rotate90(&grey)) {
        Some(90)
    } else if found(&imageops::rotate270(&grey)) {
        Some(270)
    } else {
        None
    }
}

fn detect_at(detector: &dyn FaceDetector, grey: &GrayImage, max_side: u32) -> Vec<FaceBox> {
    let longest = grey.width().max(grey.height());
    let scale = if longest > max_side {
        f64::from(max_side) / f64::from(longest)
    } else {
        1.0
    };
    let small;
    let work = if scale < 1.0 {
        let w = ((f64::from(grey.width()) * scale).round() as u32).max(1);
        let h = ((f64::from(grey.height()) * scale).round() as u32).max(1);
        small = imageops::resize(grey, w, h, imageops::FilterType::Triangle);
        &small
    } else {
        grey
    };
    if work.width() < 20 || work.height() < 20 {
        return Vec::new();
    }
    let sx = f64::from(grey.width()) / f64::from(work.width());
    let sy = f64::from(grey.height()) / f64::from(work.height());
    detector
        .detect(work)
        .into_iter()
        .map(|f| f.scaled(sx, sy))
        .collect()
}
