//! Stage: head pose (yaw, pitch, roll) from the face mesh's depth.

use serde::{Deserialize, Serialize};

use super::mesh::{FaceMesh, idx};

/// Head pose in degrees. Signs, in the upright image as seen: `yaw` > 0 when the image-right
/// side of the face is farther from the camera than the image-left side (the subject turns to
/// their right, towards image left); `pitch` > 0 when the chin is farther from the camera than
/// the forehead relative to a frontal face (head bowed, chin down; a raised chin comes towards
/// the camera and reads negative); `roll` > 0 when the
/// image-right eye is lower than the image-left eye.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Pose {
    /// Yaw, degrees.
    pub yaw_deg: f64,
    /// Pitch, degrees.
    pub pitch_deg: f64,
    /// Roll, degrees.
    pub roll_deg: f64,
}

/// Pitch the mesh reports for a frontal face (upper-face points against chin points, see
/// `idx::PITCH_UPPER`): the median over the 325 frontal faces of the photo suite (0.8 deg,
/// spread sd 5 deg); subtracted so that a frontal face reads 0.
pub const MESH_NEUTRAL_PITCH_DEG: f64 = 0.8;

/// Head pose of a face mesh (image px with MediaPipe's depth).
pub fn pose_of(mesh: &FaceMesh) -> Pose {
    let l = mesh.points[idx::CHEEK_LEFT];
    let r = mesh.points[idx::CHEEK_RIGHT];
    let mean = |ids: &[usize]| {
        let n = ids.len() as f64;
        let s = ids.iter().fold([0.0; 3], |a, &i| {
            let p = mesh.points[i];
            [a[0] + p[0], a[1] + p[1], a[2] + p[2]]
        });
        [s[0] / n, s[1] / n, s[2] / n]
    };
    let top = mean(&idx::PITCH_UPPER);
    let chin = mean(&idx::PITCH_LOWER);
    let yaw = (r[2] - l[2]).atan2(r[0] - l[0]).to_degrees();
    let pitch = (chin[2] - top[2]).atan2(chin[1] - top[1]).to_degrees() - MESH_NEUTRAL_PITCH_DEG;
    Pose {
        yaw_deg: yaw,
        pitch_deg: pitch,
        roll_deg: mesh.roll_rad().to_degrees(),
    }
}
