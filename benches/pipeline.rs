//! Per-stage and whole-photo timings. Sizes: the 260x378 ID photo
//! (`fixtures/made/astronaut_licence.jpg`), and the same photo scaled to 1100x1600 and to a
//! 12-megapixel 4000x3000 frame (centred on white), encoded as JPEG in memory; decode alone is
//! the floor a checker cannot beat. Run: `cargo bench --bench pipeline`. The batch figure
//! (photos per second over the photo suite) is in the README's performance section.

use std::io::Cursor;

use criterion::{Criterion, criterion_group, criterion_main};
use image::{ImageFormat, Rgb, RgbImage, imageops};
use photocheck::analysis::face::detect_faces;
use photocheck::decode::decode;
use photocheck::{Engine, Spec};

fn jpeg(img: &RgbImage) -> Vec<u8> {
    let mut buf = Vec::new();
    img.write_to(&mut Cursor::new(&mut buf), ImageFormat::Jpeg)
        .expect("encodes");
    buf
}

fn sizes() -> Vec<(&'static str, Vec<u8>)> {
    let small = std::fs::read("fixtures/made/astronaut_licence.jpg").expect("fixture");
    let photo = image::load_from_memory(&small).expect("decodes").to_rgb8();
    let mid = imageops::resize(&photo, 1100, 1600, imageops::FilterType::Triangle);
    let tall = imageops::resize(&photo, 2063, 3000, imageops::FilterType::Triangle);
    let mut phone = RgbImage::from_pixel(4000, 3000, Rgb([255, 255, 255]));
    imageops::replace(&mut phone, &tall, (4000 - 2063) / 2, 0);
    vec![
        ("260x378", small),
        ("1100x1600", jpeg(&mid)),
        ("4000x3000", jpeg(&phone)),
    ]
}

fn pipeline(c: &mut Criterion) {
    let engine = Engine::new().expect("models");
    let spec = Spec::preset("cn-driving-licence").expect("preset");
    let model = rustface::read_model(&include_bytes!("../models/seeta_fd_frontal_v1.0.bin")[..])
        .expect("seeta");
    for (name, bytes) in sizes() {
        let photo = decode(&bytes).expect("decodes");
        let analysis = engine.analyse(&photo).expect("analyses");
        c.bench_function(&format!("decode {name}"), |b| {
            b.iter(|| decode(&bytes).unwrap())
        });
        c.bench_function(&format!("detect faces {name}"), |b| {
            b.iter(|| detect_faces(&model, &photo.image))
        });
        c.bench_function(
            &format!("analyse {name} (detect, mesh x3, segment, geometry)"),
            |b| b.iter(|| engine.analyse(&photo).unwrap()),
        );
        c.bench_function(&format!("checks + report {name}"), |b| {
            b.iter(|| engine.report("x.jpg", &analysis, &spec))
        });
        c.bench_function(&format!("whole check {name} (bytes to report)"), |b| {
            b.iter(|| engine.check_bytes("x.jpg", &bytes, &spec))
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = pipeline
}
criterion_main!(benches);
