//! Where the face mesh's converged window lies relative to BlazeFace's eyes: the constants of
//! [`photocheck::analysis::mesh::roi_from_eyes`] and their spread.
//!
//! `cargo run --release --example mesh_window_fit -- PHOTO_OR_DIR...`
//!
//! For each photo: BlazeFace's main face, then the mesh run the long way (the detector's box
//! window and two windows rebuilt from the previous mesh, as before issue 17; how much the
//! second rebuilt window shrinks gives [`REBUILT_WINDOW_SHRINK`]), and the window
//! that mesh asks for next (its fixed point). Prints, in the eye frame (origin between the
//! eyes, x along the eye line, unit the eye distance), the median and the median absolute
//! deviation of that window's centre and side and of its angle from the eye line, and how far
//! the one-window mesh from [`roi_from_eyes`] lands from the long way's chin and forehead (px per
//! 100 px of eye distance). Fit on photos outside the evaluation suite (the committed constants
//! come from the multi-face recall set of `tools/make_recall_set.py`, upright windows).
//!
//! [`roi_from_eyes`]: photocheck::analysis::mesh::roi_from_eyes
//! [`REBUILT_WINDOW_SHRINK`]: photocheck::analysis::mesh::REBUILT_WINDOW_SHRINK

use photocheck::analysis::detect;
use photocheck::analysis::mesh::{self, idx};
use photocheck::runtime::Models;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn mad(v: &[f64]) -> f64 {
    let m = median(v.to_vec());
    median(v.iter().map(|x| (x - m).abs()).collect())
}

fn main() -> anyhow::Result<()> {
    let mut files = Vec::new();
    for arg in std::env::args().skip(1) {
        let p = std::path::PathBuf::from(&arg);
        if p.is_dir() {
            let mut v: Vec<_> = std::fs::read_dir(&p)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    f.extension()
                        .is_some_and(|e| matches!(e.to_str(), Some("jpg" | "png" | "jpeg")))
                })
                .collect();
            v.sort();
            files.extend(v);
        } else {
            files.push(p);
        }
    }
    let models = Models::load()?;
    let (mut cu, mut cv, mut side, mut angle) = (vec![], vec![], vec![], vec![]);
    let (mut chin, mut forehead) = (vec![], vec![]);
    let (mut shrink, mut shift) = (vec![], vec![]);
    for f in &files {
        let photo = photocheck::decode::decode(&std::fs::read(f)?)?;
        let img = &photo.image;
        let faces = detect::blazeface_faces(&models.face_detector, img)?;
        let Some(face) = faces.first() else { continue };
        let Some([l, r]) = face.eyes else { continue };
        let first = mesh::face_mesh_once(&models.face_mesh, img, &mesh::roi_from_face_box(face))?;
        // The long way: two windows rebuilt from the previous mesh. How much the second
        // rebuilt window is smaller than the first gives `REBUILT_WINDOW_SHRINK`.
        let once = first.next_roi();
        let rebuilt = mesh::face_mesh_once(&models.face_mesh, img, &once)?;
        let twice = rebuilt.next_roi();
        shrink.push(1.0 - twice.side / once.side);
        shift.push((twice.cx - once.cx).hypot(twice.cy - once.cy) / once.side);
        let long = mesh::face_mesh_once(&models.face_mesh, img, &twice)?;
        if long.presence < 0.5 {
            continue;
        }
        let target = long.next_roi();
        let (ex, ey) = ((l[0] + r[0]) / 2.0, (l[1] + r[1]) / 2.0);
        let d = (r[0] - l[0]).hypot(r[1] - l[1]);
        let a = (r[1] - l[1]).atan2(r[0] - l[0]);
        let (sin, cos) = a.sin_cos();
        let (dx, dy) = (target.cx - ex, target.cy - ey);
        cu.push((dx * cos + dy * sin) / d);
        cv.push((-dx * sin + dy * cos) / d);
        side.push(target.side / d);
        angle.push((target.angle - a).to_degrees());
        let short = mesh::face_mesh_once(&models.face_mesh, img, &mesh::roi_from_eyes(l, r))?;
        let per100 = 100.0 / d;
        chin.push((short.xy(idx::CHIN).1 - long.xy(idx::CHIN).1) * per100);
        forehead.push((short.xy(idx::FOREHEAD).1 - long.xy(idx::FOREHEAD).1) * per100);
    }
    println!("{} faces", cu.len());
    for (name, v) in [
        ("centre along the eye line / eye distance", &cu),
        ("centre below the eye line / eye distance", &cv),
        ("side / eye distance", &side),
        ("angle - eye-line angle, deg", &angle),
        (
            "one-window chin - long-way chin, px per 100 px eye distance",
            &chin,
        ),
        ("one-window forehead - long-way forehead, same", &forehead),
        (
            "second rebuilt window: 1 - side / first rebuilt side",
            &shrink,
        ),
        ("second rebuilt window: centre shift / first side", &shift),
    ] {
        println!("{name}: median {:.4}, MAD {:.4}", median(v.clone()), mad(v));
    }
    Ok(())
}
