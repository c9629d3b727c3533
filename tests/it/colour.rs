//! Colour photo check on real photos: the compliant fixture passes; its greyscale and
//! sepia-toned versions (made here) fail.

use std::io::Cursor;

use image::{ImageFormat, Rgb};
use photocheck::checks::Status;
use photocheck::{Engine, Spec};

fn colour_status(engine: &Engine, spec: &Spec, img: &image::RgbImage) -> (Status, String) {
    let mut bytes = Vec::new();
    img.write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
        .unwrap();
    let report = engine.check_bytes("made.png", &bytes, spec);
    let c = report
        .checks
        .iter()
        .find(|c| c.id == "colour_photo")
        .unwrap()
        .clone();
    (c.status, c.message)
}

#[test]
fn greyscale_and_sepia_fail_colour_passes() {
    let _machine = crate::common::share();
    let engine = Engine::new().unwrap();
    let spec = Spec::preset("cn-driving-licence").unwrap();
    let photo = image::open("fixtures/made/astronaut_licence.jpg")
        .unwrap()
        .into_rgb8();
    let (status, msg) = colour_status(&engine, &spec, &photo);
    assert_eq!(status, Status::Pass, "{msg}");

    let luma =
        |p: &Rgb<u8>| 0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2]);
    let mut grey = photo.clone();
    for p in grey.pixels_mut() {
        let l = luma(p).round() as u8;
        *p = Rgb([l, l, l]);
    }
    let (status, msg) = colour_status(&engine, &spec, &grey);
    assert_eq!(status, Status::Fail, "{msg}");
    assert!(msg.contains("not a colour photo"), "{msg}");

    // Classic sepia tone: one hue, chroma growing with lightness.
    let mut sepia = photo.clone();
    for p in sepia.pixels_mut() {
        let l = luma(p) / 255.0;
        let tone = [1.0, 0.85, 0.65];
        *p = Rgb(std::array::from_fn(|c| (255.0 * l * tone[c]).round() as u8));
    }
    let (status, msg) = colour_status(&engine, &spec, &sepia);
    assert_eq!(status, Status::Fail, "{msg}");
    assert!(msg.contains("toned monochrome"), "{msg}");
}
