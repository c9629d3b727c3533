//! Per-stage and whole-photo timings (stages as the analysis times them, see
//! `photocheck::analysis::StageTimes`). Sizes: the 260x378 ID photo
//! (`fixtures/made/astronaut_licence.jpg`), and the same photo scaled to 1100x1600 and to a
//! 12-megapixel 4000x3000 frame (centred on white), encoded as JPEG in memory, and the
//! appearance stage on `fixtures/appearance/astronaut_sunglasses.jpg`, where the eyes are in
//! doubt and the iris-landmark model runs; decode alone is
//! the floor a checker cannot beat. Run: `cargo bench --bench pipeline`. The batch figure
//! (photos per second over the photo suite) is in the README's performance section.

use std::io::Cursor;

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use image::{ImageFormat, Rgb, RgbImage, imageops};
use photocheck::analysis::StageTimes;
use photocheck::decode::{Photo, decode, decode_reduced};
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

/// Times one analysis stage: runs the whole analysis `iters` times and adds up that stage's
/// wall time as the analysis recorded it.
fn stage(
    c: &mut Criterion,
    name: &str,
    engine: &Engine,
    photo: &Photo,
    pick: fn(&StageTimes) -> Duration,
) {
    c.bench_function(name, |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| pick(&engine.analyse(photo).expect("analyses").timings))
                .sum()
        })
    });
}

fn pipeline(c: &mut Criterion) {
    let engine = Engine::new().expect("models");
    // The appearance stage when the eyes' look leaves their openness in doubt and the
    // iris-landmark model runs on both eyes (about 5 % of studio photos; here behind dark
    // lenses).
    let doubt = std::fs::read("fixtures/appearance/astronaut_sunglasses.jpg").expect("fixture");
    let doubt = decode_reduced(&doubt).expect("decodes");
    assert!(
        engine
            .analyse(&doubt)
            .expect("analyses")
            .appearance
            .is_some_and(|a| a.eyelid_opening.iter().all(Option::is_some)),
        "the iris model runs on this photo"
    );
    stage(
        c,
        "260x378 appearance with the iris model (eyes in doubt)",
        &engine,
        &doubt,
        |t| t.appearance,
    );
    let spec = Spec::preset("cn-driving-licence").expect("preset");
    for (name, bytes) in sizes() {
        let full = decode(&bytes).expect("decodes");
        let photo = decode_reduced(&bytes).expect("decodes");
        let analysis = engine.analyse(&photo).expect("analyses");
        let report = engine.report("x.jpg", &analysis, &spec);
        c.bench_function(&format!("{name} decode, full size (the floor)"), |b| {
            b.iter(|| decode(&bytes).unwrap())
        });
        if photo.image.dimensions() != full.image.dimensions() {
            c.bench_function(&format!("{name} decode, reduced for analysis"), |b| {
                b.iter(|| decode_reduced(&bytes).unwrap())
            });
        }
        stage(c, &format!("{name} working copy"), &engine, &photo, |t| {
            t.work_copy
        });
        stage(c, &format!("{name} face detection"), &engine, &photo, |t| {
            t.detection
        });
        stage(
            c,
            &format!("{name} landmarks (face mesh x3)"),
            &engine,
            &photo,
            |t| t.landmarks,
        );
        stage(c, &format!("{name} segmentation"), &engine, &photo, |t| {
            t.segmentation
        });
        stage(
            c,
            &format!("{name} head geometry + background + colour"),
            &engine,
            &photo,
            |t| t.geometry + t.background + t.colour,
        );
        stage(
            c,
            &format!("{name} appearance (eyes, mouth, glasses, light, sharpness, head top)"),
            &engine,
            &photo,
            |t| t.appearance,
        );
        c.bench_function(&format!("{name} checks"), |b| {
            b.iter(|| engine.report("x.jpg", &analysis, &spec))
        });
        c.bench_function(&format!("{name} reporting (JSON)"), |b| {
            b.iter(|| serde_json::to_vec(&report).unwrap())
        });
        c.bench_function(&format!("{name} whole check (bytes to report)"), |b| {
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
