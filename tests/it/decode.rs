//! Decoding real files: EXIF orientation (all 8 values), DPI and capture date.

use photocheck::decode::decode;

fn load(path: &str) -> photocheck::decode::Photo {
    decode(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn all_eight_exif_orientations_give_the_same_upright_photo() {
    let _machine = crate::common::share();
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
    let _machine = crate::common::share();
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

/// The APP1 (EXIF) segment of a JPEG file, marker and length included.
fn exif_segment(jpeg: &[u8]) -> Vec<u8> {
    let mut i = 2;
    while i + 4 <= jpeg.len() && jpeg[i] == 0xFF {
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        if jpeg[i + 1] == 0xE1 {
            return jpeg[i..i + 2 + len].to_vec();
        }
        i += 2 + len;
    }
    panic!("no EXIF segment");
}

/// `img` as a JPEG, with `exif` (an APP1 segment) right after the start-of-image marker.
fn jpeg_with_exif(img: &image::RgbImage, exif: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut body, 92)
        .encode_image(img)
        .unwrap();
    [&body[..2], exif, &body[2..]].concat()
}

#[test]
fn a_large_jpeg_is_decoded_reduced_with_the_same_facts_and_orientation() {
    let _machine = crate::common::share();
    use image::imageops;
    let upright = load("fixtures/exif-orientation/hopper_orient_1.jpg").image;
    // Stored 2400 x 2810 with orientation 6 (shown rotated a quarter turn clockwise).
    let stored = imageops::resize(&upright, 2400, 2810, imageops::FilterType::Triangle);
    let orient6 = std::fs::read("fixtures/exif-orientation/hopper_orient_6.jpg").unwrap();
    let bytes = jpeg_with_exif(&stored, &exif_segment(&orient6));
    let full = decode(&bytes).unwrap();
    let reduced = photocheck::decode::decode_reduced(&bytes).unwrap();
    assert_eq!(
        full.facts, reduced.facts,
        "facts are the file's, whatever the decode size"
    );
    assert_eq!((full.facts.width_px, full.facts.height_px), (2810, 2400));
    assert_eq!(full.facts.exif_orientation, Some(6));
    // Longest side 2810: half size keeps it at 1000 px or more, a quarter would not.
    assert_eq!(reduced.image.dimensions(), (1405, 1200));
    assert!((reduced.pixel_scale() - 2.0).abs() < 1e-9);
    let shrunk = imageops::thumbnail(&full.image, 1405, 1200);
    let diff: f64 = shrunk
        .as_raw()
        .iter()
        .zip(reduced.image.as_raw())
        .map(|(a, b)| f64::from((i16::from(*a) - i16::from(*b)).abs()))
        .sum::<f64>()
        / shrunk.as_raw().len() as f64;
    assert!(
        diff < 3.0,
        "reduced decode differs from a shrunk full decode by {diff}"
    );
    // A photo under twice the reduced size is decoded whole.
    let small = std::fs::read("fixtures/made/astronaut_licence.jpg").unwrap();
    let p = photocheck::decode::decode_reduced(&small).unwrap();
    assert_eq!(p.image.dimensions(), (260, 378));
}
