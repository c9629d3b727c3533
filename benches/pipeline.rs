//! Per-stage and whole-photo timings on a 260x378 ID photo (`fixtures/made/astronaut_licence.jpg`).
//! Run: `cargo bench --bench pipeline`. The batch figure (photos per second over the photo
//! suite) is in the README's performance section.

use criterion::{Criterion, criterion_group, criterion_main};
use photocheck::analysis::face::detect_faces;
use photocheck::decode::decode;
use photocheck::{Engine, Spec};

fn pipeline(c: &mut Criterion) {
    let bytes = std::fs::read("fixtures/made/astronaut_licence.jpg").expect("fixture");
    let engine = Engine::new().expect("models");
    let spec = Spec::preset("cn-driving-licence").expect("preset");
    let photo = decode(&bytes).expect("decodes");
    let analysis = engine.analyse(&photo).expect("analyses");
    let model = rustface::read_model(&include_bytes!("../models/seeta_fd_frontal_v1.0.bin")[..])
        .expect("seeta");

    c.bench_function("decode 260x378 jpeg", |b| {
        b.iter(|| decode(&bytes).unwrap())
    });
    c.bench_function("detect faces 260x378", |b| {
        b.iter(|| detect_faces(&model, &photo.image))
    });
    c.bench_function(
        "analyse 260x378 (detect, mesh x3, segment, geometry)",
        |b| b.iter(|| engine.analyse(&photo).unwrap()),
    );
    c.bench_function("checks + report 260x378", |b| {
        b.iter(|| engine.report("x.jpg", &analysis, &spec))
    });
    c.bench_function("whole check 260x378 (bytes to report)", |b| {
        b.iter(|| engine.check_bytes("x.jpg", &bytes, &spec))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = pipeline
}
criterion_main!(benches);
