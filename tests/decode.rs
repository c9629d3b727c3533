//! Decoding real files: EXIF orientation (all 8 values), DPI and capture date.

use photocheck::decode::decode;

fn load(path: &str) -> photocheck::decode::Photo {
    decode(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn all_eight_exif_orientations_give_the_same_upright_photo() {
    let upright = load("fixtures/exif-orientation/hopper_orient_1.jpg");
    assert_eq!((upright.image.width(), upright.image.height()), (240, 281));
    for n in 2..=8 {
        let p = load(&format!("fixtures/exif-orientation/hopper_orient_{n}.jpg"));
        assert_eq!(p.facts.exif_orientation, Some(n));
        assert_eq!(
            (p.facts.width_px, p.facts.height_px),
            (240, 281),
            "orientation {n}"
        );
        let diff: f64 = p
            .image
            .as_raw()
            .iter()
            .zip(upright.image.as_raw())
            .map(|(a, b)| f64::from((i16::from(*a) - i16::from(*b)).abs()))
            .sum::<f64>()
            / p.image.as_raw().len() as f64;
        assert!(diff < 4.0, "orientation {n}: mean difference {diff}");
    }
}

#[test]
fn dpi_and_capture_date_are_read() {
    let p = load("fixtures/exif-orientation/hopper_300dpi.jpg");
    assert_eq!(p.facts.dpi, Some([300.0, 300.0]));
    assert_eq!(p.facts.capture_date.as_deref(), Some("2020-01-15T10:30:00"));
    let png = load("fixtures/astronaut_96dpi.png");
    let dpi = png.facts.dpi.unwrap();
    assert!((dpi[0] - 96.0).abs() < 0.1, "{dpi:?}");
    assert_eq!(png.facts.format, "png");
    let jfif = load("fixtures/grace_hopper.jpg");
    assert_eq!(jfif.facts.dpi, Some([96.0, 96.0]));
    assert_eq!(jfif.facts.capture_date, None);
}
