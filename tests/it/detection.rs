//! Face detection (issue 17: BlazeFace first, SeetaFace's cascade for no face or an unsure
//! one): a small second face beside the subject is found, the subject alone is one face, and
//! an upside-down photo is reported turned, not measured.

use std::io::Cursor;

use image::{ImageFormat, imageops};
use photocheck::checks::Status;
use photocheck::{Engine, Spec};

/// The licence fixture with Grace Hopper's head (`fixtures/grace_hopper.jpg`, public domain)
/// pasted into the top-right corner of the backdrop, `width` px wide: a second person in the
/// photo, smaller than the subject (whose face is about 150 px wide).
fn with_second_face(width: u32) -> Vec<u8> {
    let mut photo = image::open("fixtures/made/astronaut_licence.jpg")
        .unwrap()
        .to_rgb8();
    let grace = image::open("fixtures/grace_hopper.jpg").unwrap().to_rgb8();
    let head = imageops::crop_imm(&grace, 130, 60, 260, 320).to_image();
    let height = width * 320 / 260;
    let head = imageops::resize(&head, width, height, imageops::FilterType::Triangle);
    imageops::replace(&mut photo, &head, i64::from(256 - width), 6);
    let mut out = Vec::new();
    photo
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Jpeg)
        .unwrap();
    out
}

fn single_face(engine: &Engine, name: &str, bytes: &[u8]) -> (Status, Option<f64>) {
    let spec = Spec::preset("cn-driving-licence").unwrap();
    let report = engine.check_bytes(name, bytes, &spec);
    let check = report
        .checks
        .iter()
        .find(|c| c.id == "single_face")
        .unwrap_or_else(|| panic!("{name}: no single_face check"));
    (check.status, check.value)
}

#[test]
fn a_small_second_face_is_a_second_person() {
    let _machine = crate::common::share();
    let engine = Engine::new().unwrap();
    // 45-70 px: about a third to a half of the subject's face. SeetaFace's cascade alone (the
    // detector before issue 17) found none of these.
    for width in [45, 55, 70] {
        let (status, value) = single_face(&engine, "two", &with_second_face(width));
        assert_eq!(
            (status, value),
            (Status::Fail, Some(2.0)),
            "second face {width} px"
        );
    }
    let alone = std::fs::read("fixtures/made/astronaut_licence.jpg").unwrap();
    assert_eq!(
        single_face(&engine, "alone", &alone),
        (Status::Pass, Some(1.0))
    );
}

#[test]
fn an_upside_down_photo_is_turned_not_measured() {
    let _machine = crate::common::share();
    let engine = Engine::new().unwrap();
    let photo = image::open("fixtures/made/astronaut_licence.jpg").unwrap();
    let mut bytes = Vec::new();
    photo
        .rotate180()
        .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Jpeg)
        .unwrap();
    let spec = Spec::preset("cn-driving-licence").unwrap();
    let report = engine.check_bytes("upside down", &bytes, &spec);
    let measurements = report.measurements.as_ref().expect("measurements");
    assert_eq!(measurements.faces, 0);
    let face = report
        .checks
        .iter()
        .find(|c| c.id == "single_face")
        .unwrap();
    assert_eq!(face.status, Status::Fail);
    assert!(face.message.contains("180"), "{}", face.message);
}
