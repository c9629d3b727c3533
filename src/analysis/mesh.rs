//! Face landmarks: the MediaPipe face mesh (468 points) run with tract on a square window
//! around the face, first on the detector's window, then on a window rebuilt from that mesh
//! and rotated so that the eye line is level, as MediaPipe's own pipeline does.

use image::RgbImage;
use serde::{Deserialize, Serialize};

use super::sample::{SquareRoi, window_input};
use crate::error::{Error, Result};
use crate::runtime::{FaceBox, Network};

/// Face-mesh indices (canonical MediaPipe topology) used by photocheck.
pub mod idx {
    /// Lowest point of the chin on the mesh.
    pub const CHIN: usize = 152;
    /// Top of the forehead on the mesh (hairline region, not the skull top).
    pub const FOREHEAD: usize = 10;
    /// Nose tip.
    pub const NOSE_TIP: usize = 1;
    /// Face-oval extreme at cheek/ear level, image left (subject's right).
    pub const CHEEK_LEFT: usize = 234;
    /// Face-oval extreme at cheek/ear level, image right (subject's left).
    pub const CHEEK_RIGHT: usize = 454;
    /// Eye contour points of the image-left eye (subject's right): corners 33/133, lids 159/145.
    pub const EYE_LEFT: [usize; 4] = [33, 133, 159, 145];
    /// Eye contour points of the image-right eye (subject's left): corners 362/263, lids 386/374.
    pub const EYE_RIGHT: [usize; 4] = [362, 263, 386, 374];
    /// Eyebrow points (image left, image right), for the eyebrow level.
    pub const BROWS: [usize; 4] = [105, 66, 334, 296];
    /// Bottom of the nose (subnasale).
    pub const NOSE_BOTTOM: usize = 2;
    /// Upper and lower lip centre.
    pub const LIPS: [usize; 2] = [13, 14];
    /// Upper face points (forehead, brow ridge) whose mean depth against [`PITCH_LOWER`] gives
    /// the pitch.
    pub const PITCH_UPPER: [usize; 5] = [10, 151, 9, 109, 338];
    /// Lower face points (chin and jaw front).
    pub const PITCH_LOWER: [usize; 5] = [152, 175, 199, 148, 377];
    /// The closed face oval, starting at the forehead.
    pub const FACE_OVAL: [usize; 36] = [
        10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
        152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
    ];
}

/// The 468-point face mesh in upright-image coordinates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaceMesh {
    /// Points `[x, y, z]`: x and y in image px (continuous coordinates), z in the same px
    /// scale, towards the camera negative (MediaPipe convention).
    pub points: Vec<[f64; 3]>,
    /// Face presence probability from the model's second output (0..1).
    pub presence: f64,
}

impl FaceMesh {
    /// Point `i` as `(x, y)` px.
    pub fn xy(&self, i: usize) -> (f64, f64) {
        (self.points[i][0], self.points[i][1])
    }

    /// Mean `(x, y)` of several points.
    pub fn mean_xy(&self, ids: &[usize]) -> (f64, f64) {
        let n = ids.len() as f64;
        let (sx, sy) = ids.iter().fold((0.0, 0.0), |(sx, sy), &i| {
            (sx + self.points[i][0], sy + self.points[i][1])
        });
        (sx / n, sy / n)
    }

    /// Centre of the image-left eye (subject's right), px.
    pub fn eye_left(&self) -> (f64, f64) {
        self.mean_xy(&idx::EYE_LEFT)
    }

    /// Centre of the image-right eye (subject's left), px.
    pub fn eye_right(&self) -> (f64, f64) {
        self.mean_xy(&idx::EYE_RIGHT)
    }

    /// Roll in radians: angle of the eye line, positive when the image-right eye is lower.
    pub fn roll_rad(&self) -> f64 {
        let (lx, ly) = self.eye_left();
        let (rx, ry) = self.eye_right();
        (ry - ly).atan2(rx - lx)
    }

    /// The square window MediaPipe would feed the mesh next: the mesh's bounding box in the
    /// roll-aligned frame, scaled by 1.5, rotated by the roll.
    pub fn next_roi(&self) -> SquareRoi {
        let angle = self.roll_rad();
        let (sin, cos) = angle.sin_cos();
        let (mut u0, mut u1, mut v0, mut v1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for p in &self.points {
            let u = p[0] * cos + p[1] * sin;
            let v = -p[0] * sin + p[1] * cos;
            u0 = u0.min(u);
            u1 = u1.max(u);
            v0 = v0.min(v);
            v1 = v1.max(v);
        }
        let (uc, vc) = ((u0 + u1) / 2.0, (v0 + v1) / 2.0);
        SquareRoi {
            cx: uc * cos - vc * sin,
            cy: uc * sin + vc * cos,
            side: 1.5 * (u1 - u0).max(v1 - v0),
            angle,
        }
    }
}

/// The first window for a detector box (BlazeFace's and SeetaFace's boxes run from the brows to
/// the mouth or chin): centred a little below the box centre and twice its width.
pub fn roi_from_face_box(b: &FaceBox) -> SquareRoi {
    SquareRoi {
        cx: b.x + b.width / 2.0,
        cy: b.y + b.height * 0.5,
        side: 2.0 * b.width.max(b.height),
        angle: 0.0,
    }
}

/// Centre of the converged mesh window below the point between the eyes, in eye distances
/// (along the face's vertical axis). Fitted by `examples/mesh_window_fit.rs`.
pub const EYES_TO_WINDOW_CENTRE: f64 = 0.4645;
/// Side of the converged mesh window in eye distances. Fitted as [`EYES_TO_WINDOW_CENTRE`].
pub const WINDOW_SIDE_PER_EYE_DISTANCE: f64 = 3.9675;

/// The mesh window for a face whose eye centres a detector gave (`left` is the image-left
/// eye, px), measured as a first window (`examples/mesh_window_fit.rs`; not used by the
/// analysis, see [`refined_roi`]): rotated to the eye line, centred [`EYES_TO_WINDOW_CENTRE`]
/// eye distances below the point between the eyes, [`WINDOW_SIDE_PER_EYE_DISTANCE`] eye
/// distances wide: where the mesh's own window rebuilding ([`FaceMesh::next_roi`]) converges.
pub fn roi_from_eyes(left: [f64; 2], right: [f64; 2]) -> SquareRoi {
    let (dx, dy) = (right[0] - left[0], right[1] - left[1]);
    let d = dx.hypot(dy).max(1.0);
    let angle = dy.atan2(dx);
    let (sin, cos) = angle.sin_cos();
    let down = EYES_TO_WINDOW_CENTRE * d;
    SquareRoi {
        cx: (left[0] + right[0]) / 2.0 - down * sin,
        cy: (left[1] + right[1]) / 2.0 + down * cos,
        side: WINDOW_SIDE_PER_EYE_DISTANCE * d,
        angle,
    }
}

/// Runs the face mesh on one window and maps the points back to image px.
pub fn face_mesh_once(net: &Network, img: &RgbImage, roi: &SquareRoi) -> Result<FaceMesh> {
    let side = net.side();
    let outputs = net.run(window_input(img, roi, side))?;
    let (coords, logit) = match outputs.as_slice() {
        [a, b, ..] if a.len() == 1404 => (a, b),
        [a, b, ..] if b.len() == 1404 => (b, a),
        _ => return Err(Error::Model("face mesh: unexpected output shapes".into())),
    };
    let scale = roi.side / side as f64;
    let points = coords
        .chunks_exact(3)
        .map(|p| {
            let (x, y) = roi.to_image(f64::from(p[0]), f64::from(p[1]), side);
            [x, y, f64::from(p[2]) * scale]
        })
        .collect();
    let presence = 1.0 / (1.0 + (-f64::from(logit[0])).exp());
    Ok(FaceMesh { points, presence })
}

/// How much a window rebuilt from a mesh ([`FaceMesh::next_roi`]) shrinks when it is rebuilt
/// once more: the mesh run on a rebuilt window asks for a window smaller by this share of its
/// side (median over the 257 faces of the multi-face recall set of `tools/make_recall_set.py`,
/// photos outside the evaluation suite; p10-p90 1.6-7.8 %; the centre moved by a median 0.9 %
/// of the side in no preferred direction, signed medians under 0.2 %, so it is kept).
/// Measured by `examples/mesh_window_fit.rs`; `tests/it/mesh.rs` checks the prediction on
/// real faces.
pub const REBUILT_WINDOW_SHRINK: f64 = 0.044;

/// The window the mesh is run on after the detector's: rebuilt from the first mesh
/// ([`FaceMesh::next_roi`]), then shrunk by [`REBUILT_WINDOW_SHRINK`] about its centre, which
/// predicts the window a second rebuild would give. Until issue 17 the mesh ran on that second
/// rebuilt window itself (three runs: the detector's window and two rebuilt ones); the
/// prediction saves one run (3.5 ms) and on the photo suite gives the same head length MAE
/// (0.170 mm, p95 0.466 against 0.473 mm), crown and chin p95 (0.78 / 1.20 % of the height) and
/// a lower ear width error on the faces both measure (0.246 against 0.249 mm). Without the
/// shrink, the one rebuilt window left the head length MAE at 0.187 mm; from BlazeFace's eye
/// window ([`roi_from_eyes`]) one rebuilt window gave 0.174 mm.
pub fn refined_roi(first: &FaceMesh) -> SquareRoi {
    let r = first.next_roi();
    SquareRoi {
        side: r.side * (1.0 - REBUILT_WINDOW_SHRINK),
        ..r
    }
}

/// Face mesh for a detected face: the detector's window, then the [`refined_roi`] from that
/// first mesh, as MediaPipe's tracking loop rebuilds its window from the previous mesh.
pub fn face_mesh(net: &Network, img: &RgbImage, face: &FaceBox) -> Result<FaceMesh> {
    refine_face_mesh(
        net,
        img,
        face_mesh_once(net, img, &roi_from_face_box(face))?,
    )
}

/// Runs the mesh on the [`refined_roi`] of a first mesh.
pub fn refine_face_mesh(net: &Network, img: &RgbImage, first: FaceMesh) -> Result<FaceMesh> {
    face_mesh_once(net, img, &refined_roi(&first))
}
