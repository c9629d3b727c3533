//! The face mesh's second window (issue 17): one window rebuilt from the first mesh and shrunk
//! by `REBUILT_WINDOW_SHRINK` stands in for the two rebuilt windows the engine ran before, on
//! real faces: the window it predicts is the one a second rebuild asks for, and the mesh run
//! on it puts the chin and the forehead where the mesh of the long way does.

use photocheck::analysis::detect;
use photocheck::analysis::mesh::{self, idx};
use photocheck::runtime::Models;

#[test]
fn the_refined_window_predicts_a_second_rebuild_and_its_mesh() {
    let _machine = crate::common::share();
    let models = Models::load().unwrap();
    for name in [
        "fixtures/made/astronaut_licence.jpg",
        "fixtures/made/astronaut_head_large.jpg",
        "fixtures/made/astronaut_head_small.jpg",
        "fixtures/made/astronaut_off_centre.jpg",
        "fixtures/grace_hopper.jpg",
    ] {
        let img = image::open(name).unwrap().to_rgb8();
        let faces = detect::blazeface_faces(&models.face_detector, &img).unwrap();
        let face = faces.first().expect("a face");
        let net = &models.face_mesh;
        let first = mesh::face_mesh_once(net, &img, &mesh::roi_from_face_box(face)).unwrap();
        // The long way: two windows rebuilt from the previous mesh.
        let rebuilt = mesh::face_mesh_once(net, &img, &first.next_roi()).unwrap();
        let second = rebuilt.next_roi();
        let long = mesh::face_mesh_once(net, &img, &second).unwrap();
        let predicted = mesh::refined_roi(&first);
        let short = mesh::refine_face_mesh(net, &img, first).unwrap();
        let side_error = (predicted.side / second.side - 1.0).abs();
        let centre_error = (predicted.cx - second.cx).hypot(predicted.cy - second.cy) / second.side;
        let face_h = long.xy(idx::CHIN).1 - long.xy(idx::FOREHEAD).1;
        let chin = (short.xy(idx::CHIN).1 - long.xy(idx::CHIN).1).abs() / face_h;
        let forehead = (short.xy(idx::FOREHEAD).1 - long.xy(idx::FOREHEAD).1).abs() / face_h;
        println!(
            "{name}: window side {:.2} %, centre {:.2} %; chin {:.3} %, forehead {:.3} % of the face height",
            100.0 * side_error,
            100.0 * centre_error,
            100.0 * chin,
            100.0 * forehead
        );
        assert!(side_error < 0.04 && centre_error < 0.02, "{name}: window");
        assert!(chin < 0.01 && forehead < 0.01, "{name}: mesh");
    }
}
