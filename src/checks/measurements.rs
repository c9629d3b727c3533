//! The analysis in a spec's units (px and mm): what the JSON report's `measurements` holds
//! and what the geometric checks compare with their limits.

use serde::{Deserialize, Serialize};

use crate::analysis::Analysis;
use crate::spec::Spec;

/// Measurements of one photo in the units of a spec (px and mm), as reported in JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Measurements {
    /// Number of faces found.
    pub faces: usize,
    /// The face mesh's face-presence probability (0..1) for the main face: low when what the
    /// detector found is not an upright face.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub face_presence: Option<f64>,
    /// mm per px used for every mm value (from the spec's height or pinned DPI).
    pub mm_per_px: f64,
    /// Crown (top of hair), y px from the top edge.
    pub crown_y_px: Option<f64>,
    /// Chin, y px from the top edge.
    pub chin_y_px: Option<f64>,
    /// Head length crown to chin, px.
    pub head_length_px: Option<f64>,
    /// Head length crown to chin, mm.
    pub head_length_mm: Option<f64>,
    /// Estimated top of the skull (hair ignored), y px.
    pub skull_top_y_px: Option<f64>,
    /// Head length from the estimated skull top to the chin, mm.
    pub head_length_skull_mm: Option<f64>,
    /// Head width, outer ear to outer ear, mm (`None` when an ear is hidden).
    pub head_width_ears_mm: Option<f64>,
    /// Head width at ear level, mm: the outer ear edges, with the head outline (hair) standing
    /// in for an ear that is hidden.
    pub head_width_ear_level_mm: Option<f64>,
    /// True when the head outline stood in for a hidden ear in `head_width_ear_level_mm`.
    pub head_width_ear_covered: Option<bool>,
    /// Face width at the ear roots, mm.
    pub head_width_ear_roots_mm: Option<f64>,
    /// Hair silhouette width at eyebrow level, mm.
    pub head_width_silhouette_mm: Option<f64>,
    /// Width of the person along the photo's bottom row (the shoulders), in face widths (at
    /// the ear roots).
    #[serde(default)]
    pub bottom_person_width_faces: Option<f64>,
    /// Crown margin (top edge to crown), mm.
    pub crown_margin_mm: Option<f64>,
    /// Chin margin (chin to bottom edge), mm.
    pub chin_margin_mm: Option<f64>,
    /// Eye line above the bottom edge, mm.
    pub eye_line_from_bottom_mm: Option<f64>,
    /// Horizontal offset of the face centre from the image's middle, share of the width
    /// (negative = left of the middle).
    pub face_centre_offset: Option<f64>,
    /// Eye line, y px from the top edge.
    pub eye_line_y_px: Option<f64>,
    /// Distance between the eye centres, px.
    pub ipd_px: Option<f64>,
    /// Yaw, degrees.
    pub yaw_deg: Option<f64>,
    /// Pitch, degrees.
    pub pitch_deg: Option<f64>,
    /// Roll, degrees.
    pub roll_deg: Option<f64>,
    /// Backdrop mean L*.
    pub background_lightness: Option<f64>,
    /// Backdrop mean chroma C*ab.
    pub background_chroma: Option<f64>,
    /// What the face's pixels show (eyes, mouth, glasses, lighting, sharpness, head top),
    /// when the spec needed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appearance: Option<crate::analysis::Appearance>,
}

/// Computes the measurements of an analysis in a spec's units: mm = px x [`Spec::mm_per_px`]
/// of the image height. A value whose stage did not run or could not measure is `None`.
pub fn measurements(a: &Analysis, spec: &Spec) -> Measurements {
    let mm = spec.mm_per_px(a.facts.height_px);
    let g = a.head.as_ref();
    let p = a.pose;
    let w = f64::from(a.facts.width_px.max(1));
    Measurements {
        faces: a.faces.len(),
        face_presence: a.mesh.as_ref().map(|m| m.presence),
        mm_per_px: mm,
        crown_y_px: g.map(|g| g.crown_y),
        chin_y_px: g.map(|g| g.chin_y),
        head_length_px: g.map(|g| g.head_length_px()),
        head_length_mm: g.map(|g| g.head_length_px() * mm),
        skull_top_y_px: g.map(|g| g.skull_top_y),
        head_length_skull_mm: g.map(|g| (g.chin_y - g.skull_top_y) * mm),
        head_width_ears_mm: g.and_then(|g| g.width_ears_px()).map(|v| v * mm),
        head_width_ear_level_mm: g
            .and_then(|g| g.width_ears_or_outline_px())
            .map(|(v, _)| v * mm),
        head_width_ear_covered: g.and_then(|g| g.width_ears_or_outline_px()).map(|(_, c)| c),
        head_width_ear_roots_mm: g.map(|g| g.width_ear_roots_px() * mm),
        head_width_silhouette_mm: g.and_then(|g| g.width_silhouette_px()).map(|v| v * mm),
        bottom_person_width_faces: g
            .map(|g| g.bottom_person_width / g.width_ear_roots_px().max(1.0)),
        crown_margin_mm: g.map(|g| g.crown_y * mm),
        chin_margin_mm: g.map(|g| (f64::from(a.facts.height_px) - g.chin_y) * mm),
        eye_line_from_bottom_mm: g.map(|g| (f64::from(a.facts.height_px) - g.eye_line_y()) * mm),
        face_centre_offset: g.map(|g| (g.face_centre_x - w / 2.0) / w),
        eye_line_y_px: g.map(|g| g.eye_line_y()),
        ipd_px: g.map(|g| g.ipd_px()),
        yaw_deg: p.map(|p| p.yaw_deg),
        pitch_deg: p.map(|p| p.pitch_deg),
        roll_deg: p.map(|p| p.roll_deg),
        background_lightness: a.background.as_ref().map(|b| b.mean_lightness),
        background_chroma: a.background.as_ref().map(|b| b.mean_chroma),
        appearance: a.appearance,
    }
}
